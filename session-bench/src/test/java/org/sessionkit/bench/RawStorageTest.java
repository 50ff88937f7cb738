package org.sessionkit.bench;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;

class RawStorageTest {

  @TempDir Path dir;

  private SessionStorage open(String kind) {
    switch (kind) {
      case "memory":
        return new RawMemoryStorage();
      case "file":
        return new RawFileStorage(dir, true);
      default:
        return new RawFileStorage(dir, false);
    }
  }

  @Test
  void theFileBaselineWritesTheDocumentTheFileStoreWritesHeadFirst() throws Exception {
    Session session = SessionFixtures.session("head-first", 40);
    try (SessionStorage raw = new RawFileStorage(dir.resolve("raw"), false);
        SessionStorage store = org.sessionkit.SessionStorages.open("file:" + dir.resolve("store") + "?fsync=false")) {
      Futures.await(raw.save(session), 30, SECONDS);
      Futures.await(store.save(session), 30, SECONDS);
    }
    String rawDoc = Files.readString(dir.resolve("raw").resolve("head-first.json"));
    String storeDoc = Files.readString(dir.resolve("store").resolve("head-first.json"));
    assertThat(rawDoc).startsWith("{\"sessionkit\":");
    // the same bytes but for the revision and the store's write time in the head
    assertThat(rawDoc.replaceFirst("\"revision\":\"[^\"]*\"", "").replaceFirst(",?\"written_at\":\"[^\"]*\"", ""))
        .isEqualTo(storeDoc.replaceFirst("\"revision\":\"[^\"]*\"", "").replaceFirst(",?\"written_at\":\"[^\"]*\"", ""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "file", "file-nofsync"})
  void baselinesStoreLoadUpdateAndAppendSessionsExactly(String kind) {
    try (SessionStorage s = open(kind)) {
      Session session = SessionFixtures.session("user-1/a", 20);
      Futures.await(s.save(session), 30, SECONDS);
      assertThat(Futures.await(s.load("user-1/a"), 30, SECONDS)).isEqualTo(session);

      Session updated =
          Futures.await(s.update("user-1/a", x -> x.withUpdatedAt(x.updatedAt().plusSeconds(1))), 30, SECONDS)
              .session();
      assertThat(Futures.await(s.load("user-1/a"), 30, SECONDS)).isEqualTo(updated);

      Append turn = Append.of(List.of(SessionFixtures.message(20)), SessionFixtures.state(21), SessionFixtures.updatedAt(21));
      Futures.await(s.append("user-1/a", turn), 30, SECONDS);
      Session grown = Futures.await(s.load("user-1/a"), 30, SECONDS);
      assertThat(grown.messages()).isEqualTo(SessionFixtures.messages(21));
      assertThat(grown.updatedAt()).isEqualTo(SessionFixtures.updatedAt(21));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "file-nofsync"})
  void baselinesListInTheContractsOrderAndPageWithAPrefix(String kind) {
    try (SessionStorage s = open(kind)) {
      StoreHandle.fill(s, 300, i -> SessionFixtures.populationSession(i, 4));
      List<SessionSummary> all = Futures.await(s.list(), 30, SECONDS);
      assertThat(all).hasSize(300);
      assertThat(all).isSortedAccordingTo(org.sessionkit.spi.ListPosition.SUMMARY_ORDER);

      SessionPage page = Futures.await(s.list(ListQuery.withPrefix("user-042/").limit(2)), 30, SECONDS);
      assertThat(page.summaries()).extracting(SessionSummary::id)
          .containsExactly("user-042/session-000242", "user-042/session-000142");
      SessionPage first = Futures.await(s.list(ListQuery.firstPage().limit(20)), 30, SECONDS);
      assertThat(first.summaries()).isEqualTo(all.subList(0, 20));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "file"})
  void loadOfAMissingIdFailsWithNotFoundAndConditionalWritesAreNotPartOfTheBaseline(String kind) {
    try (SessionStorage s = open(kind)) {
      assertThatThrownBy(() -> Futures.await(s.load("nope"), 30, SECONDS))
          .isInstanceOf(SessionNotFoundException.class);
      assertThatThrownBy(() -> Futures.await(s.saveIf(SessionFixtures.session("x", 1), Revision.of(1)), 30, SECONDS))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @Test
  void rawFileNamesKeepEveryIdInsideTheDirectory() throws Exception {
    try (SessionStorage s = new RawFileStorage(dir, false)) {
      Futures.await(s.save(SessionFixtures.session("../escape/x", 1)), 30, SECONDS);
      Futures.await(s.save(SessionFixtures.session("plain-id_1.v2", 1)), 30, SECONDS);
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString()).collect(Collectors.toList()))
            .containsExactlyInAnyOrder("~002e.~002fescape~002fx.json", "plain-id_1.v2.json");
      }
    }
  }
}
