/* Error strings. A switch, so that -Wall (-Wswitch) names any code that
 * was added to the enum but not here. */
#include "bedrock/bedrock.h"

const char *bedrock_strerror(int err)
{
	switch ((bedrock_error)err) {
	case BEDROCK_OK: return "success";
	case BEDROCK_ITEROVER: return "no more items";
	case BEDROCK_EAGAIN: return "more input needed";
	case BEDROCK_ENOMEM: return "out of memory";
	case BEDROCK_EINVAL: return "invalid argument";
	case BEDROCK_EPROTOCOL: return "malformed data from the peer";
	case BEDROCK_ELIMIT: return "size limit exceeded";
	case BEDROCK_EAUTH: return "authentication failed";
	case BEDROCK_ETHROTTLED: return "request throttled";
	case BEDROCK_ETIMEOUT: return "timed out";
	case BEDROCK_EHTTP: return "HTTP error";
	case BEDROCK_ESERVICE: return "error reported by the service";
	case BEDROCK_EIO: return "I/O error";
	case BEDROCK_ECONFIG: return "invalid or missing configuration";
	case BEDROCK_ENOTFOUND: return "not found";
	case BEDROCK_ECANCELED: return "cancelled by the caller";
	case BEDROCK_ENOTSUP: return "not supported on this platform";
	}
	return "unknown error";
}

const char *bedrock_error_name(int err)
{
	switch ((bedrock_error)err) {
	case BEDROCK_OK: return "BEDROCK_OK";
	case BEDROCK_ITEROVER: return "BEDROCK_ITEROVER";
	case BEDROCK_EAGAIN: return "BEDROCK_EAGAIN";
	case BEDROCK_ENOMEM: return "BEDROCK_ENOMEM";
	case BEDROCK_EINVAL: return "BEDROCK_EINVAL";
	case BEDROCK_EPROTOCOL: return "BEDROCK_EPROTOCOL";
	case BEDROCK_ELIMIT: return "BEDROCK_ELIMIT";
	case BEDROCK_EAUTH: return "BEDROCK_EAUTH";
	case BEDROCK_ETHROTTLED: return "BEDROCK_ETHROTTLED";
	case BEDROCK_ETIMEOUT: return "BEDROCK_ETIMEOUT";
	case BEDROCK_EHTTP: return "BEDROCK_EHTTP";
	case BEDROCK_ESERVICE: return "BEDROCK_ESERVICE";
	case BEDROCK_EIO: return "BEDROCK_EIO";
	case BEDROCK_ECONFIG: return "BEDROCK_ECONFIG";
	case BEDROCK_ENOTFOUND: return "BEDROCK_ENOTFOUND";
	case BEDROCK_ECANCELED: return "BEDROCK_ECANCELED";
	case BEDROCK_ENOTSUP: return "BEDROCK_ENOTSUP";
	}
	return "BEDROCK_EUNKNOWN";
}

const char *bedrock_version(void)
{
	return BEDROCK_VERSION;
}
