package org.sessionkit;

import java.util.Objects;
import java.util.Optional;

/**
 * A stored entry that a listing could not read as a session: a corrupt or foreign file, a
 * document whose id does not match where it is stored, a leftover temporary file. Listings
 * never fail because of one and never hide it: they report it here and log a warning.
 *
 * @param location where the entry is, in the store's terms (a file path, a key, a row id)
 * @param id the session id the entry belongs to, when it is known
 * @param reason what is wrong, for a person to read
 */
public record ListingProblem(String location, Optional<String> id, String reason) {

  /** Validates the fields. */
  public ListingProblem {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(reason, "reason");
  }
}
