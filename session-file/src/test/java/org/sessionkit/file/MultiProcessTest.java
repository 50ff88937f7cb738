package org.sessionkit.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.sessionkit.file.FileSessionStorageTest.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.ContentBlock;
import org.sessionkit.Session;

/**
 * Two JVMs share one directory: their updates, appends and creates of the same ids go through
 * the OS file lock, so no update is lost and each create has exactly one winner.
 */
class MultiProcessTest {

  private static final boolean FULL = "full".equals(System.getProperty("sessionkit.test.scale", "ci"));

  @TempDir Path dir;

  @Test
  void twoProcessesIncrementingOneSessionLoseNoUpdate() throws Exception {
    int perProcess = FULL ? 2_000 : 200;
    try (FileSessionStorage store = FileSessionStorage.builder(dir).fsync(false).build()) {
      await(store.save(Session.create("shared", "/")));
    }
    Path stderr = Files.createTempFile("sk-multi", ".log");
    List<Process> children = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        children.add(Children.plain().start(stderr, "increment", dir.toString(), "shared", Integer.toString(perProcess)));
      }
      Map<Integer, Integer> wins = new HashMap<>();
      List<Long> pids = new ArrayList<>();
      for (Process p : children) {
        pids.add(p.pid());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
          String line;
          boolean done = false;
          while ((line = out.readLine()) != null) {
            if (line.startsWith("won ")) {
              wins.merge(Integer.parseInt(line.substring(4)), 1, Integer::sum);
            } else if (line.equals("done")) {
              done = true;
            }
          }
          assertThat(done).as("child finished; its errors: %s", Files.readString(stderr)).isTrue();
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
      }
      // Every create had exactly one winner.
      assertThat(wins).hasSize(50).allSatisfy((k, n) -> assertThat(n).isEqualTo(1));

      try (FileSessionStorage store = FileSessionStorage.builder(dir).fsync(false).build()) {
        Session s = await(store.load("shared"));
        assertThat(ChildMain.counter(s)).isEqualTo(2L * perProcess);
        List<String> labels = s.messages().stream()
            .map(m -> ((ContentBlock.Text) m.content().get(0)).text()).collect(Collectors.toList());
        assertThat(labels).hasSize(2 * perProcess).doesNotHaveDuplicates();
        for (long pid : pids) {
          List<String> mine = labels.stream().filter(l -> l.startsWith(pid + ":")).collect(Collectors.toList());
          List<String> expected = new ArrayList<>();
          for (int i = 0; i < perProcess; i++) {
            expected.add(pid + ":" + i);
          }
          assertThat(mine).isEqualTo(expected);
        }
        assertThat(await(store.list())).hasSize(51);
      }
    } finally {
      children.forEach(Process::destroyForcibly);
      Files.deleteIfExists(stderr);
    }
  }
}
