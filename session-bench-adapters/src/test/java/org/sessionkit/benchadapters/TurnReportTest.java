package org.sessionkit.benchadapters;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sessionkit.benchadapters.TurnReport.Score;

/** The side-by-side table. */
class TurnReportTest {

  @Test
  void rowsAreOrderedByLengthWithTheRatioOfSessionkitToJdbc() {
    String table = TurnReport.markdown(List.of(
        new Score(1000, TrialRepository.SPRING_AI_JDBC, 50, 5),
        new Score(10, TrialRepository.SESSIONKIT, 800, 40.4),
        new Score(1000, TrialRepository.SESSIONKIT, 400, Double.NaN),
        new Score(10, TrialRepository.SPRING_AI_JDBC, 1000, 12)));
    List<String> lines = table.lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).startsWith("| messages | sessionkit");
    assertThat(lines.get(2)).isEqualTo("| 10 | 800 ± 40 | 1,000 ± 12 | 1.25 / 1.00 | 0.80× |");
    assertThat(lines.get(3)).isEqualTo("| 1,000 | 400 | 50 ± 5 | 2.50 / 20.00 | 8.00× |");
  }

  @Test
  void aLengthMeasuredForOneRepositoryOnlyHasNoRatio() {
    String table = TurnReport.markdown(List.of(new Score(100, TrialRepository.SESSIONKIT, 250, 1)));
    assertThat(table.lines().toList().get(2)).isEqualTo("| 100 | 250 ± 1 | – | 4.00 / – | – |");
  }
}
