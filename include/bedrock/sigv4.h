/* SigV4 signing: placeholder, replaced by the SigV4 module. */
#ifndef BEDROCK_SIGV4_H
#define BEDROCK_SIGV4_H
#endif
