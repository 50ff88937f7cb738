package org.sessionkit;

import java.util.Objects;

/** Where the bytes of an image come from: inline base64 data or a URL. */
public sealed interface ImageSource permits ImageSource.Base64, ImageSource.Url {

  /** An inline image: its media type (e.g. {@code image/png}) and base64-encoded bytes. */
  record Base64(String mediaType, String data) implements ImageSource {
    /** Validates the fields. */
    public Base64 {
      Objects.requireNonNull(mediaType, "mediaType");
      Objects.requireNonNull(data, "data");
    }
  }

  /** An image referenced by URL. */
  record Url(String url) implements ImageSource {
    /** Validates the field. */
    public Url {
      Objects.requireNonNull(url, "url");
    }
  }
}
