package org.sessionkit;

import java.util.Objects;

/** Where the content of a document comes from: an inline PDF, inline plain text, or a URL. */
public sealed interface DocumentSource
    permits DocumentSource.Base64Pdf, DocumentSource.PlainText, DocumentSource.Url {

  /** An inline PDF, base64-encoded. */
  record Base64Pdf(String data) implements DocumentSource {
    /** Validates the field. */
    public Base64Pdf {
      Objects.requireNonNull(data, "data");
    }
  }

  /** An inline plain-text document. */
  record PlainText(String data) implements DocumentSource {
    /** Validates the field. */
    public PlainText {
      Objects.requireNonNull(data, "data");
    }
  }

  /** A document referenced by URL. */
  record Url(String url) implements DocumentSource {
    /** Validates the field. */
    public Url {
      Objects.requireNonNull(url, "url");
    }
  }
}
