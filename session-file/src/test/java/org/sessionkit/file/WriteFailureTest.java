package org.sessionkit.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sessionkit.file.FileSessionStorageTest.await;
import static org.sessionkit.file.FileSessionStorageTest.session;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sessionkit.Append;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.file.TestOps.Step;

/**
 * Proves the order of a durable write — create, write, force, rename, force the directory —
 * by failing each step in turn: a failure before the rename leaves the previous version and
 * no temporary file; a failure of the final directory force leaves the new version. A SIGKILL
 * (the crash test) can't show durability, since the page cache survives it; this can show the
 * forces happen, and before the rename.
 */
class WriteFailureTest {

  @TempDir Path dir;

  private final TestOps ops = new TestOps();
  private FileSessionStorage store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private FileSessionStorage open(boolean fsync) {
    store = FileSessionStorage.builder(dir).fsync(fsync).fileSystemOps(ops).build();
    return store;
  }

  private List<String> leftovers() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).collect(Collectors.toList());
    }
  }

  private static IOException diskFull() {
    return new FileSystemException("/disk", null, "No space left on device");
  }

  @Test
  void aDurableWriteCreatesWritesForcesRenamesThenForcesTheDirectory() {
    open(true);
    ops.clearSteps();
    await(store.save(session("s", 2)));
    assertThat(ops.steps()).containsExactly(Step.CREATE, Step.WRITE, Step.FORCE, Step.RENAME, Step.FORCE_DIRECTORY);
    ops.clearSteps();
    await(store.append("s", Append.of(List.of(Message.user("x")), session("s", 0).state(), session("s", 0).updatedAt())));
    assertThat(ops.steps()).containsExactly(Step.CREATE, Step.WRITE, Step.FORCE, Step.RENAME, Step.FORCE_DIRECTORY);
    ops.clearSteps();
    await(store.delete("s"));
    assertThat(ops.steps()).containsExactly(Step.DELETE, Step.FORCE_DIRECTORY);
  }

  @Test
  void withoutFsyncTheForcesAreSkippedButTheRenameStays() {
    open(false);
    ops.clearSteps();
    await(store.save(session("s", 2)));
    assertThat(ops.steps()).containsExactly(Step.CREATE, Step.WRITE, Step.RENAME);
  }

  @ParameterizedTest
  @EnumSource(value = Step.class, names = {"CREATE", "WRITE", "FORCE", "RENAME"})
  void aFailureBeforeTheRenameLeavesThePreviousVersionAndNoTemporaryFile(Step failing) throws IOException {
    open(true);
    Session v1 = session("s", 3);
    Revision r1 = await(store.save(v1));
    ops.writeHalfBeforeFailing(true);
    ops.failNext(failing, diskFull());
    assertThatThrownBy(() -> await(store.save(session("s", 50))))
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessageContaining("No space left on device")
        .hasMessageContaining("the previous version is unchanged")
        .hasCauseInstanceOf(FileSystemException.class);
    assertThat(await(store.loadVersioned("s")).session()).isEqualTo(v1);
    assertThat(await(store.loadVersioned("s")).revision()).isEqualTo(r1);
    assertThat(leftovers()).isEmpty();
    // The same for an append.
    ops.failNext(failing, diskFull());
    assertThatThrownBy(() -> await(store.append("s", Append.of(List.of(Message.user("x")), v1.state(), v1.updatedAt()))))
        .isInstanceOf(StorageUnavailableException.class);
    assertThat(await(store.load("s"))).isEqualTo(v1);
    assertThat(leftovers()).isEmpty();
    // And the store works again once the disk has room.
    await(store.save(session("s", 4)));
    assertThat(await(store.load("s")).messages()).hasSize(4);
  }

  @Test
  void aFailingDirectoryForceReportsUnavailableWithTheNewVersionInPlace() throws IOException {
    open(true);
    await(store.save(session("s", 3)));
    ops.failNext(Step.FORCE_DIRECTORY, new IOException("Input/output error"));
    assertThatThrownBy(() -> await(store.save(session("s", 5))))
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessageContaining("the new version is in place but may not be durable");
    assertThat(await(store.load("s")).messages()).hasSize(5);
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void aReadOnlyDirectoryIsUnavailableAndLeavesEverythingAsItWas() throws IOException {
    open(true);
    Session v1 = session("s", 3);
    await(store.save(v1));
    ops.failNext(Step.CREATE, new AccessDeniedException(dir.resolve(".sk-x.tmp").toString(), null, "Read-only file system"));
    assertThatThrownBy(() -> await(store.save(session("s", 9))))
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessageContaining("Read-only file system");
    assertThat(await(store.load("s"))).isEqualTo(v1);
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void aFailedDeleteLeavesTheSession() {
    open(true);
    Session v1 = session("s", 3);
    await(store.save(v1));
    ops.failNext(Step.DELETE, new AccessDeniedException("s.json"));
    assertThatThrownBy(() -> await(store.delete("s"))).isInstanceOf(StorageUnavailableException.class);
    assertThat(await(store.load("s"))).isEqualTo(v1);
  }
}
