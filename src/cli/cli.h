/* The bedrock CLI's commands. The CLI uses only libbedrock's public API
 * (plus cJSON/libcrypto for its own output formatting). */
#ifndef BEDROCK_CLI_H
#define BEDROCK_CLI_H

/* Each command gets argv after its own name (argv[0] is the command name)
 * and returns the process exit status. */
int cmd_debug_sign(int argc, char **argv);
int cmd_debug_eventstream(int argc, char **argv);
int cmd_debug_credentials(int argc, char **argv);
int cmd_invoke(int argc, char **argv);
int cmd_converse(int argc, char **argv);
int cmd_count_tokens(int argc, char **argv);
int cmd_list_models(int argc, char **argv);
int cmd_get_model(int argc, char **argv);
int cmd_list_profiles(int argc, char **argv);
int cmd_get_profile(int argc, char **argv);
int cmd_logging(int argc, char **argv);
int cmd_api_key(int argc, char **argv);
int cmd_emulate(int argc, char **argv);
int cmd_ask(int argc, char **argv);
int cmd_chat(int argc, char **argv);
int cmd_tokens(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_convert(int argc, char **argv);
/* bedrock gateway: `activity` goes to cmd_gateway_activity, anything else
 * to cmd_gateway_serve (the server). */
int cmd_gateway(int argc, char **argv);
int cmd_gateway_serve(int argc, char **argv);
int cmd_gateway_activity(int argc, char **argv);

#endif
