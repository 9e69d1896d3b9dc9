/* AWS event-stream codec: placeholder, replaced by the codec module. */
#ifndef BEDROCK_EVENTSTREAM_H
#define BEDROCK_EVENTSTREAM_H
#endif
