package org.sessionkit.internal.codec;

/** The field names and variant tags of the session format (see {@code docs/format.md}). */
public final class Fields {
  private Fields() {}

  /** Store metadata, written first by sessionkit and ignored by neuron. */
  public static final String SESSIONKIT = "sessionkit";
  /** In {@code sessionkit}: the layout version. */
  public static final String FORMAT = "format";
  /** In {@code sessionkit}: the revision. */
  public static final String REVISION = "revision";
  /** In {@code sessionkit}: the number of messages. */
  public static final String MESSAGE_COUNT = "message_count";
  /** In {@code sessionkit}: when the store last wrote the document, by its clock. */
  public static final String WRITTEN_AT = "written_at";
  /** In {@code sessionkit}: the keys of the last keyed writes and their revisions. */
  public static final String WRITE_LOG = "write_log";
  /** In a {@code write_log} entry: the idempotency key. */
  public static final String KEY = "key";

  /** Session id; also a tool call's id. */
  public static final String ID = "id";
  /** The messages. */
  public static final String MESSAGES = "messages";
  /** The state. */
  public static final String STATE = "state";
  /** Creation time. */
  public static final String CREATED_AT = "created_at";
  /** Update time. */
  public static final String UPDATED_AT = "updated_at";

  /** State: working directory. */
  public static final String CWD = "cwd";
  /** State: token usage. */
  public static final String TOKEN_USAGE = "token_usage";
  /** State: event count. */
  public static final String EVENT_COUNT = "event_count";
  /** State: custom values. */
  public static final String CUSTOM = "custom";

  /** Usage: input tokens. */
  public static final String INPUT_TOKENS = "input_tokens";
  /** Usage: output tokens. */
  public static final String OUTPUT_TOKENS = "output_tokens";
  /** Usage: cache read tokens. */
  public static final String CACHE_READ_TOKENS = "cache_read_tokens";
  /** Usage: cache creation tokens. */
  public static final String CACHE_CREATION_TOKENS = "cache_creation_tokens";
  /** Usage: reasoning tokens. */
  public static final String REASONING_TOKENS = "reasoning_tokens";
  /** Usage: per-call iterations. */
  public static final String ITERATIONS = "iterations";

  /** Message: role. */
  public static final String ROLE = "role";
  /** Message content; tool result content; compaction content. */
  public static final String CONTENT = "content";

  /** A message's metadata (a sessionkit extension; neuron ignores it). */
  public static final String METADATA = "metadata";

  /** Variant tag: text. */
  public static final String TEXT = "Text";
  /** Variant tag: thinking. */
  public static final String THINKING = "Thinking";
  /** Thinking: the reasoning text. */
  public static final String THINKING_FIELD = "thinking";
  /** Thinking: the signature. */
  public static final String SIGNATURE = "signature";
  /** Variant tag: redacted thinking. */
  public static final String REDACTED_THINKING = "RedactedThinking";
  /** Inline data. */
  public static final String DATA = "data";
  /** Variant tag: tool use. */
  public static final String TOOL_USE = "ToolUse";
  /** Tool use: the tool name. */
  public static final String NAME = "name";
  /** Tool use: the input value. */
  public static final String INPUT = "input";
  /** Variant tag: tool result. */
  public static final String TOOL_RESULT = "ToolResult";
  /** Tool result: the tool use id. */
  public static final String TOOL_USE_ID = "tool_use_id";
  /** Tool result: whether it failed. */
  public static final String IS_ERROR = "is_error";
  /** Variant tag: image. */
  public static final String IMAGE = "Image";
  /** Variant tag: document. */
  public static final String DOCUMENT = "Document";
  /** Variant tag: compaction. */
  public static final String COMPACTION = "Compaction";
  /** Image / document: the source. */
  public static final String SOURCE = "source";
  /** Image source tag: inline base64. */
  public static final String BASE64 = "Base64";
  /** Image source: media type. */
  public static final String MEDIA_TYPE = "media_type";
  /** Source tag: URL. */
  public static final String URL = "Url";
  /** URL source: the URL. */
  public static final String URL_FIELD = "url";
  /** Document source tag: base64 PDF. */
  public static final String BASE64_PDF = "Base64Pdf";
  /** Document source tag: plain text. */
  public static final String PLAIN_TEXT = "PlainText";
}
