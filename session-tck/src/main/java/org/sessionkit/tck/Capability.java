package org.sessionkit.tck;

/**
 * An optional feature a store declares to {@link SessionStorageCompatibilityKit} by overriding
 * {@link SessionStorageCompatibilityKit#capabilities()}. The checks of a feature the store does
 * not declare are reported as <em>skipped</em> (an aborted assumption naming the capability),
 * never as passed, so a report always shows what was not proven.
 */
public enum Capability {

  /**
   * Sessions survive closing the store: a second instance opened on the same location (by
   * {@link SessionStorageCompatibilityKit#reopen}, after the first was closed) loads every
   * session equal in every field, lists the same summaries with the same revisions, accepts
   * revisions and cursors obtained from the first instance. Files and servers declare it;
   * {@code memory:} does not.
   */
  PERSISTENT,

  /**
   * Several instances open on one location at the same time behave as one store, as separate
   * processes sharing a directory or a server would: each sees the others' writes at once,
   * conditional writes, {@code update} and {@code append} lose nothing across instances, a
   * cursor from one continues on another, closing one leaves the others working. The kit opens
   * the second instance with {@link SessionStorageCompatibilityKit#reopen} while the first is
   * still open, in the same JVM.
   */
  CROSS_PROCESS,

  /**
   * The test can damage what is stored for an id ({@link
   * SessionStorageCompatibilityKit#corrupt}), as a disk or an operator can. The kit then checks
   * that listings neither fail nor hide the entry (they report it as a problem), that {@code
   * load} fails with {@code CorruptDocumentException} naming it, and that a save or delete
   * replaces or removes it. If the test can also damage only the messages of an entry ({@link
   * SessionStorageCompatibilityKit#corruptBody}), the kit checks that listings still list it
   * from its head and that {@code problems()}, the full check, finds it.
   *
   * <p>For rows in a database: "unreadable" is whatever {@code load} rejects (a document or
   * messages column that is not valid JSON, an unknown role, a lone surrogate, head columns
   * that disagree with the body). A listing reads only the head columns; a row whose head it
   * can't read is reported in the page's problems, left out, and does not count towards the
   * page size (a page holds up to {@code limit} readable summaries). {@code problems()} reads
   * every row as {@code load} would.
   */
  CORRUPTIBLE
}
