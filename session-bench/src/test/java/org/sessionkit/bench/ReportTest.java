package org.sessionkit.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class ReportTest {

  /** A result measured on a quiet machine: its ± is 1% of its score. */
  private static Report.Row row(String benchmark, String method, String store, Map<String, String> params, int threads, double ops) {
    return new Report.Row(benchmark, method, store, params, threads, ops, ops / 100);
  }

  private static Report.Row row(
      String benchmark, String method, String store, Map<String, String> params, int threads, double ops, double error) {
    return new Report.Row(benchmark, method, store, params, threads, ops, error);
  }

  private static final List<Report.Row> ROWS = List.of(
      row("SaveLoadBenchmark", "save", "memory", Map.of("size", "100"), 1, 1_000),
      row("SaveLoadBenchmark", "save", "raw-memory", Map.of("size", "100"), 1, 4_000),
      row("SaveLoadBenchmark", "save", "memory", Map.of("size", "100"), 2, 1_500),
      row("SaveLoadBenchmark", "load", "file", Map.of("size", "100"), 1, 900),
      row("SaveLoadBenchmark", "load", "raw-file", Map.of("size", "100"), 1, 1_000),
      row("AppendBenchmark", "append", "memory", Map.of("turn", "10"), 1, 10_000),
      row("AppendBenchmark", "append", "memory", Map.of("turn", "1000"), 1, 8_000),
      row("AppendBenchmark", "fullSave", "memory", Map.of("turn", "1000"), 1, 100),
      row("ListAllBenchmark", "list", "memory", Map.of("sessions", "1000", "size", "10"), 1, 500),
      row("ListAllBenchmark", "list", "memory", Map.of("sessions", "1000", "size", "1000"), 1, 450),
      row("FirstPageBenchmark", "firstPage", "file", Map.of("sessions", "auto"), 1, 2_000),
      row("FirstPageColdBenchmark", "firstPageCold", "file", Map.of("sessions", "auto"), 1, 4));

  private final Report report = new Report(ROWS, List.of("memory", "raw-memory", "file", "raw-file"));

  @Test
  void theCostRatioIsTheBaselinesThroughputOverTheStoresForTheSameParametersAndThreads() {
    Report.Row save1 = ROWS.get(0);
    Report.Row save2 = ROWS.get(2);
    assertThat(report.ratio(save1)).hasValue(4.0);
    assertThat(report.ratio(save2)).isEmpty(); // no 2-thread baseline ran
    assertThat(report.ratio(ROWS.get(3))).hasValueCloseTo(1_000.0 / 900, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(report.ratio(ROWS.get(1))).isEmpty();
  }

  @Test
  void megabytesPerSecondUseTheEncodedSizeOfTheSession() {
    double expected = 1_000 * SessionFixtures.encodedSize(100) / 1e6;
    assertThat(report.megabytesPerSecond(ROWS.get(0))).hasValueCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(report.megabytesPerSecond(ROWS.get(8))).isEmpty();
    // an append at turn 10 produces sessions of 11 to 20 messages: counted at about their mean, 15
    assertThat(report.megabytesPerSecond(ROWS.get(5)))
        .hasValueCloseTo(10_000 * SessionFixtures.encodedSize(15) / 1e6, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void theTableHasOneLinePerResultWithItsRatioOrBaselineMark() {
    String md = report.markdown();
    assertThat(md).contains("| memory | save | 100 msgs | 1 | 1,000 | 10.0 |");
    assertThat(md).contains("| 4.00× |");
    assertThat(md).contains("| raw-memory | save | 100 msgs | 1 | 4,000 | 40.0 |").contains("| baseline |");
    assertThat(md).contains("| file | first page (20) | 10,000 sessions | 1 | 2,000 |");
    String all = md.substring(md.indexOf("### Every result"));
    assertThat(all.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| store")).count())
        .isEqualTo(ROWS.size());
    // the stores' order, with each baseline after its store
    assertThat(md.indexOf("| memory | save | 100 msgs | 1 |")).isLessThan(md.indexOf("| raw-memory | save |"));
  }

  @Test
  void theFindingsCompareAppendWithFullSaveListingWithSessionSizeAndColdWithWarm() {
    String findings = report.findings();
    assertThat(findings).contains("memory: append at turn 1,000 takes 0.013× the time of a full save");
    assertThat(findings).contains("memory: append at turn 1,000 costs 1.25× append at turn 10");
    assertThat(findings).contains("memory: list() over sessions of 1,000 messages costs 1.11× list() over sessions of 10 messages");
    assertThat(findings).contains("file: first page over 10,000 sessions: cold 250 ms, warm 0.500 ms");
    assertThat(findings).contains("target memory save ≤ 2.0× baseline (100 msgs, 1 thread): 4.00× — missed");
    assertThat(findings).contains("target file load ≤ 1.2× baseline (100 msgs, 1 thread): 1.11× — met");
    assertThat(findings).contains(
        "target memory list() independent of session size (≤ 1.5× from 10 to 1,000 msgs, 1,000 sessions): 1.11× — met");
  }

  @Test
  void roundsMergeIntoMediansAndTheRatioIsTheMedianOfEachRoundsRatio() {
    List<Report.Row> merged = Report.merge(List.of(
        row("SaveLoadBenchmark", "save", "file", Map.of("size", "100"), 1, 100),
        row("SaveLoadBenchmark", "save", "raw-file", Map.of("size", "100"), 1, 110),
        row("SaveLoadBenchmark", "save", "file", Map.of("size", "100"), 1, 50),
        row("SaveLoadBenchmark", "save", "raw-file", Map.of("size", "100"), 1, 50),
        row("SaveLoadBenchmark", "save", "file", Map.of("size", "100"), 1, 200),
        row("SaveLoadBenchmark", "save", "raw-file", Map.of("size", "100"), 1, 300)));
    assertThat(merged).hasSize(2);
    Report.Row file = merged.get(0);
    assertThat(file.store()).isEqualTo("file");
    assertThat(file.roundScores()).containsExactly(100.0, 50.0, 200.0);
    assertThat(file.opsPerSecond()).isEqualTo(100.0);
    assertThat(file.error()).isEqualTo(75.0);
    // rounds' ratios 1.1, 1.0, 1.5: median 1.1 (the ratio of the medians would be 1.1 too, but
    // not in general: a slow round of both must not skew it)
    Report r = new Report(merged, List.of("file", "raw-file"));
    assertThat(r.ratio(file)).hasValueCloseTo(1.1, org.assertj.core.data.Offset.offset(1e-9));
    Report skewed = new Report(Report.merge(List.of(
        row("SaveLoadBenchmark", "load", "file", Map.of("size", "10"), 1, 1000),
        row("SaveLoadBenchmark", "load", "raw-file", Map.of("size", "10"), 1, 1000),
        row("SaveLoadBenchmark", "load", "file", Map.of("size", "10"), 1, 100),
        row("SaveLoadBenchmark", "load", "raw-file", Map.of("size", "10"), 1, 2000))), List.of());
    // two rounds: the median of ratios 1.0 and 20.0 is their mean, 10.5
    assertThat(skewed.ratio(skewed.rows().get(0))).hasValueCloseTo(10.5, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void theLegendDescribesEveryBaselineThatRan() {
    Report withServers = new Report(List.of(
        row("SaveLoadBenchmark", "save", "redis", Map.of("size", "10"), 1, 1_000),
        row("SaveLoadBenchmark", "save", "raw-redis", Map.of("size", "10"), 1, 2_000),
        row("SaveLoadBenchmark", "save", "raw-file", Map.of("size", "10"), 1, 2_000)), List.of());
    String md = withServers.markdown();
    assertThat(md).contains("`raw-redis` = SessionCodec.encode + SET").contains("`raw-file` = encode + write temp");
    assertThat(md).doesNotContain("`raw-memory`");
    assertThat(md).contains("| redis | save | 10 msgs | 1 | 1,000 | 10.0 | 14.3 | 2.00× |");
  }

  @Test
  void theMatrixHasALinePerComparisonAndAColumnPairPerStoreWithABaseline() {
    String matrix = report.ratioMatrix();
    assertThat(matrix.lines().findFirst()).hasValue(
        "| operation | size | threads | memory × baseline | memory ops/s | file × baseline | file ops/s |");
    assertThat(matrix).contains("| save | 100 msgs | 1 | 4.00× | 1,000 | – | – |");
    // a result whose baseline did not run still shows its throughput
    assertThat(matrix).contains("| save | 100 msgs | 2 | – | 1,500 | – | – |");
    assertThat(matrix).contains("| load | 100 msgs | 1 | – | – | 1.11× | 900 |");
    assertThat(matrix).doesNotContain("raw-");
    assertThat(report.markdown()).startsWith("### At a glance: cost × baseline\n\n" + matrix);
  }

  @Test
  void aSizeThatEachStoreChoosesGoesWithItsCellsInTheMatrix() {
    Report pages = new Report(List.of(
        row("FirstPageBenchmark", "firstPage", "memory", Map.of("sessions", "auto"), 1, 100_000),
        row("FirstPageBenchmark", "firstPage", "raw-memory", Map.of("sessions", "auto"), 1, 20),
        row("FirstPageBenchmark", "firstPage", "file", Map.of("sessions", "auto"), 1, 20),
        row("FirstPageBenchmark", "firstPage", "raw-file", Map.of("sessions", "auto"), 1, 10)),
        List.of("memory", "raw-memory", "file", "raw-file"));
    assertThat(pages.ratioMatrix()).contains(
        "| first page (20) | by store | 1 | 0.50× | 20.0 over 10,000 sessions | 0.00020× | 100,000 over 100,000 sessions |");
  }

  @Test
  void withoutAnyRatioThereIsNoMatrix() {
    Report onlyStores = new Report(List.of(
        row("SaveLoadBenchmark", "save", "memory", Map.of("size", "10"), 1, 1_000)), List.of("memory"));
    assertThat(onlyStores.ratioMatrix()).isEmpty();
    assertThat(onlyStores.markdown()).startsWith("| store | operation |");
  }

  @Test
  void aResultWhoseErrorIsMoreThanTheSetFractionOfItsScoreIsUnreliableAndAnUnknownErrorToo() {
    assertThat(Report.UNRELIABLE_ERROR_FRACTION).isEqualTo(0.20);
    Map<String, String> size = Map.of("size", "100");
    assertThat(Report.unreliable(row("SaveLoadBenchmark", "save", "file", size, 1, 1_000, 200))).isFalse();
    assertThat(Report.unreliable(row("SaveLoadBenchmark", "save", "file", size, 1, 1_000, 201))).isTrue();
    assertThat(Report.unreliable(row("SaveLoadBenchmark", "save", "file", size, 1, 1_000, Double.NaN))).isTrue();
    assertThat(Report.unreliable(row("SaveLoadBenchmark", "save", "file", size, 1, 0, 0))).isTrue();
  }

  @Test
  void aNoisyStoreResultIsShownUnreliableWithTheHintAndGetsNoVerdict() {
    // the case: a memory save measured on a busy machine, 876× its baseline ± far too much
    Report noisy = new Report(List.of(
        row("SaveLoadBenchmark", "save", "memory", Map.of("size", "100"), 1, 1_000, 300),
        row("SaveLoadBenchmark", "save", "raw-memory", Map.of("size", "100"), 1, 876_000, 8_760)),
        List.of("memory", "raw-memory"));
    String md = noisy.markdown();
    assertThat(noisy.ratioUnreliable(noisy.rows().get(0))).isTrue();
    assertThat(noisy.ratioMatrix()).contains("| save | 100 msgs | 1 | 876.00× (unreliable) | 1,000 |");
    assertThat(md).contains("| memory | save | 100 msgs | 1 | 1,000 | 300 |").contains("| 876.00× (unreliable) |");
    assertThat(md).contains("**1 of these ratios are unreliable**")
        .contains("rerun on a quiet machine or use ./bench --full");
    String findings = noisy.findings();
    assertThat(findings).contains(
        "- target memory save ≤ 2.0× baseline (100 msgs, 1 thread): 876.00× — unreliable, no verdict "
            + "(memory ± 30% of its score; rerun on a quiet machine or use ./bench --full)");
    assertThat(findings).doesNotContain("met").doesNotContain("missed");
  }

  @Test
  void aNoisyBaselineMakesTheRatioUnreliableToo() {
    // the other case: a file load "faster than its own raw baseline" from a noisy baseline
    Report noisy = new Report(List.of(
        row("SaveLoadBenchmark", "load", "file", Map.of("size", "100"), 1, 1_000, 10),
        row("SaveLoadBenchmark", "load", "raw-file", Map.of("size", "100"), 1, 800, 400)),
        List.of("file", "raw-file"));
    Report.Row file = noisy.rows().get(0);
    assertThat(Report.unreliable(file)).isFalse();
    assertThat(noisy.ratioUnreliable(file)).isTrue();
    assertThat(noisy.markdown()).contains("| 0.80× (unreliable) |").contains("| baseline (unreliable) |");
    assertThat(noisy.findings()).contains(
        "target file load ≤ 1.2× baseline (100 msgs, 1 thread): 0.80× — unreliable, no verdict (raw-file ± 50% of its score;")
        .doesNotContain("— met");
  }

  @Test
  void reliableResultsKeepTheirVerdictsAndTheReportSaysNothingAboutUnreliability() {
    assertThat(report.markdown()).doesNotContain("(unreliable)").doesNotContain("ratios are unreliable");
    assertThat(report.findings()).contains("— met").contains("— missed").doesNotContain("no verdict");
  }

  @Test
  void aFindingThatRestsOnANoisyResultSaysSo() {
    Report noisy = new Report(List.of(
        row("AppendBenchmark", "append", "memory", Map.of("turn", "1000"), 1, 8_000, 4_000),
        row("AppendBenchmark", "fullSave", "memory", Map.of("turn", "1000"), 1, 100, 1)), List.of("memory"));
    assertThat(noisy.findings()).contains(
        "memory: append at turn 1,000 takes 0.013× the time of a full save of the same session (8,000 vs 100 ops/s, 1 thread) "
            + "(unreliable: memory ± 50% of its score)");
  }

  @Test
  void theChartDrawsAnUnreliableRatioFaintAndSaysSo() {
    Report noisy = new Report(List.of(
        row("SaveLoadBenchmark", "save", "memory", Map.of("size", "100"), 1, 1_000, 500),
        row("SaveLoadBenchmark", "save", "raw-memory", Map.of("size", "100"), 1, 4_000, 4)),
        List.of("memory", "raw-memory"));
    String svg = noisy.svg();
    assertThat(svg).contains("fill-opacity=\"0.3\"").contains("memory · save · 100 msgs · 1t: 4.00× (unreliable)");
    assertThat(report.svg()).doesNotContain("fill-opacity").doesNotContain("unreliable");
  }

  @Test
  void theChartIsWellFormedSvgWithOneBarPerRatio() throws Exception {
    String svg = report.svg();
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    long bars = svg.lines().filter(l -> l.startsWith("<rect") && l.contains("<title>")).count();
    assertThat(bars).isEqualTo(2); // memory save (4×) and file load (1.11×)
    assertThat(svg).contains("memory · save · 100 msgs · 1t: 4.00×");
  }
}
