package org.sessionkit.benchadapters;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sessionkit.benchadapters.TurnReport.Score;

/** The side-by-side table. */
class TurnReportTest {

  @Test
  void rowsAreOrderedByLengthWithTheRatiosOfTheWindowMemoryToTheOthers() {
    List<Score> scores = List.of(
        new Score(1000, TrialMemory.SPRING_AI_JDBC, 50, 5),
        new Score(10, TrialMemory.WINDOW_MEMORY, 800, 40.44),
        new Score(1000, TrialMemory.WINDOW_MEMORY, 400, Double.NaN),
        new Score(1000, TrialMemory.REPOSITORY, 20, 1),
        new Score(10, TrialMemory.SPRING_AI_JDBC, 1000, 12));
    List<String> lines = TurnReport.markdown(scores).lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).startsWith("| history | (a) sessionkit window memory");
    assertThat(lines.get(2)).isEqualTo("| 10 | 800.0 ± 40.4 | 1,000.0 ± 12.0 | – | 1.25 / 1.00 / – | 0.80× | – |");
    assertThat(lines.get(3))
        .isEqualTo("| 1,000 | 400.0 | 50.0 ± 5.0 | 20.0 ± 1.0 | 2.50 / 20.00 / 50.00 | 8.00× | 20.00× |");
    assertThat(TurnReport.growth(scores)).contains("(a) at 1,000 messages: 2.00× the time per turn of (a) at 10");
  }

  @Test
  void aSingleLengthHasNoGrowth() {
    assertThat(TurnReport.growth(List.of(new Score(100, TrialMemory.WINDOW_MEMORY, 250, 1)))).isEmpty();
  }
}
