package org.sessionkit.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;

/**
 * Turns benchmark results into what a person reads: a Markdown table (store × operation × size ×
 * threads: operations per second, MB/s, cost relative to the baseline of the store's medium), a
 * few derived findings (append against a full save, listing cost against session size, cold
 * against warm listings, the targets) and an SVG bar chart of the cost ratios.
 *
 * <p>The cost ratio of a result is the baseline's throughput divided by the store's for the same
 * operation, parameters and threads: the store's time per operation in units of the raw
 * medium's (1.0 = as fast as the raw medium, 2.0 = twice its time). Not thread safe; build one per
 * report.
 *
 * <p>A result whose error (its ±) is more than {@link #UNRELIABLE_ERROR_FRACTION} of its score, or
 * unknown, is <em>unreliable</em> (a busy machine, or too few iterations): a ratio involving one is
 * shown as unreliable, with a hint to rerun on a quiet machine or with {@code --full}, and never
 * turned into a met/missed verdict.
 */
final class Report {

  /**
   * One measured benchmark, independent of JMH's types: a JMH result, or the results of several
   * rounds merged ({@link #merge}).
   *
   * @param opsPerSecond the score (with rounds: their median)
   * @param error JMH's 99.9% confidence half-interval (with rounds: half the range of their scores)
   * @param roundScores the score of each round, in round order (one element for a single run)
   */
  record Row(
      String benchmark,
      String method,
      String store,
      Map<String, String> params,
      int threads,
      double opsPerSecond,
      double error,
      List<Double> roundScores) {

    Row {
      Objects.requireNonNull(benchmark, "benchmark");
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(store, "store");
      params = Map.copyOf(params);
      roundScores = List.copyOf(roundScores);
    }

    /** A result of a single run. */
    Row(String benchmark, String method, String store, Map<String, String> params, int threads,
        double opsPerSecond, double error) {
      this(benchmark, method, store, params, threads, opsPerSecond, error, List.of(opsPerSecond));
    }

    /** The parameters and threads that a baseline result must share with this one. */
    String comparisonKey() {
      return benchmark + "." + method + " " + new TreeMap<>(params) + " t" + threads;
    }
  }

  /** How an operation is named, ordered and sized in the report. */
  private record Operation(
      String label, int order, Function<Row, String> size, Function<Row, Double> sizeOrder,
      Function<Row, OptionalDouble> bytes) {}

  private static final Map<String, Operation> OPERATIONS = new LinkedHashMap<>();

  /**
   * The largest error, as a fraction of the score, of a result that a ratio or a verdict may rest
   * on. JMH's 99.9% half-interval over the quick profile's three iterations stays well under it
   * on a quiet machine and goes far beyond it on a busy one.
   */
  static final double UNRELIABLE_ERROR_FRACTION = 0.20;

  /** What the report says wherever it shows an unreliable result. */
  static final String UNRELIABLE_HINT = "rerun on a quiet machine or use ./bench --full";

  static {
    Function<Row, String> msgs = r -> count(r.params().get("size")) + " msgs";
    Function<Row, Double> bySize = r -> number(r.params().get("size"));
    Function<Row, OptionalDouble> docBytes = r -> bytes(r.params().get("size"), 0);
    Function<Row, String> turn = r -> "turn " + count(r.params().get("turn"));
    Function<Row, Double> byTurn = r -> number(r.params().get("turn"));
    // an append at turn N meets N to N + growth - 1 messages (see AppendBenchmark): count the
    // mean size of the sessions it produces
    Function<Row, OptionalDouble> grownBytes = r -> {
      double at = number(r.params().get("turn"));
      return at > 0
          ? bytes(r.params().get("turn"), (AppendBenchmark.growth((int) at) + 1) / 2)
          : OptionalDouble.empty();
    };
    Function<Row, String> listed = r -> count(r.params().get("sessions")) + " × " + msgs.apply(r);
    Function<Row, Double> byListed = r -> number(r.params().get("sessions")) * 1e6 + bySize.apply(r);
    Function<Row, String> page = r -> count(String.valueOf(pagePopulation(r))) + " sessions";
    Function<Row, Double> byPage = r -> (double) pagePopulation(r);
    Function<Row, OptionalDouble> none = r -> OptionalDouble.empty();
    op("SaveLoadBenchmark.save", "save", msgs, bySize, docBytes);
    op("SaveLoadBenchmark.load", "load", msgs, bySize, docBytes);
    op("MixedBenchmark.mixed", "mixed load ∥ save", msgs, bySize, docBytes);
    op("UpdateBenchmark.update", "update, 2 hot ids", msgs, bySize, docBytes);
    op("AsyncBenchmark.saveAsync", "save, 64 in flight", msgs, bySize, docBytes);
    op("AsyncBenchmark.loadAsync", "load, 64 in flight", msgs, bySize, docBytes);
    op("AppendBenchmark.append", "append 1 message", turn, byTurn, grownBytes);
    op("AppendBenchmark.fullSave", "full save instead", turn, byTurn, grownBytes);
    op("ListAllBenchmark.list", "list()", listed, byListed, none);
    op("FirstPageBenchmark.firstPage", "first page (20)", page, byPage, none);
    op("FirstPageBenchmark.firstPagePrefix", "first page (20), prefix", page, byPage, none);
    op("FirstPageColdBenchmark.firstPageCold", "first page (20), cold", page, byPage, none);
    op("FirstPageColdBenchmark.firstPagePrefixCold", "first page (20), prefix, cold", page, byPage, none);
  }

  private static void op(
      String key, String label, Function<Row, String> size, Function<Row, Double> sizeOrder,
      Function<Row, OptionalDouble> bytes) {
    OPERATIONS.put(key, new Operation(label, OPERATIONS.size(), size, sizeOrder, bytes));
  }

  private final List<Row> rows;
  private final List<String> storeOrder;
  private final Map<String, Row> byKey = new HashMap<>();

  /**
   * @param rows the results
   * @param storeOrder store names in the order the report shows them (others follow, sorted)
   */
  Report(List<Row> rows, List<String> storeOrder) {
    this.storeOrder = List.copyOf(storeOrder);
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(
        Comparator.comparingInt((Row r) -> operation(r).order())
            .thenComparingDouble(r -> operation(r).sizeOrder().apply(r))
            .thenComparingInt(Row::threads)
            .thenComparingInt(r -> storeRank(r.store()))
            .thenComparing(Row::store));
    this.rows = List.copyOf(sorted);
    for (Row r : this.rows) {
      byKey.put(r.store() + " " + r.comparisonKey(), r);
    }
  }

  /** Converts JMH's results. */
  static List<Row> rows(Collection<RunResult> results) {
    List<Row> rows = new ArrayList<>();
    for (RunResult rr : results) {
      BenchmarkParams p = rr.getParams();
      String full = p.getBenchmark();
      int lastDot = full.lastIndexOf('.');
      String method = full.substring(lastDot + 1);
      String cls = full.substring(full.lastIndexOf('.', lastDot - 1) + 1, lastDot);
      Map<String, String> params = new TreeMap<>();
      for (String k : p.getParamsKeys()) {
        if (!k.equals("store")) {
          params.put(k, p.getParam(k));
        }
      }
      rows.add(new Row(
          cls, method, Optional.ofNullable(p.getParam("store")).orElse("?"), params, p.getThreads(),
          rr.getPrimaryResult().getScore(), rr.getPrimaryResult().getScoreError()));
    }
    return rows;
  }

  /**
   * Merges the results of several rounds (the same benchmarks run again, later): one row per
   * store and comparison key, whose score is the median of the rounds' and whose error is half
   * the range of their scores; a result that ran once is kept as it is. Rounds are paired with
   * their baseline's by position, so {@code perRound} lists each round's results in run order.
   */
  static List<Row> merge(List<Row> perRound) {
    Map<String, List<Row>> groups = new LinkedHashMap<>();
    for (Row r : perRound) {
      groups.computeIfAbsent(r.store() + " " + r.comparisonKey(), k -> new ArrayList<>()).add(r);
    }
    List<Row> merged = new ArrayList<>();
    for (List<Row> g : groups.values()) {
      Row first = g.get(0);
      if (g.size() == 1) {
        merged.add(first);
        continue;
      }
      List<Double> scores = g.stream().map(Row::opsPerSecond).collect(Collectors.toList());
      double min = scores.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
      double max = scores.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
      merged.add(new Row(first.benchmark(), first.method(), first.store(), first.params(), first.threads(),
          median(scores), (max - min) / 2, scores));
    }
    return merged;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Comparator.naturalOrder());
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** The results, in report order. */
  List<Row> rows() {
    return rows;
  }

  /**
   * The cost ratio of {@code r} to its baseline, if it has one and the baseline ran: with the
   * same number of rounds, the median of each round's ratio (a store and its baseline run one
   * after the other in a round, so a slow spell of a shared disk affects both); else the ratio
   * of the scores.
   */
  OptionalDouble ratio(Row r) {
    Optional<String> baseline = baselineOf(r.store());
    if (baseline.isEmpty()) {
      return OptionalDouble.empty();
    }
    Row b = byKey.get(baseline.get() + " " + r.comparisonKey());
    if (b == null || !(r.opsPerSecond() > 0)) {
      return OptionalDouble.empty();
    }
    if (r.roundScores().size() > 1 && r.roundScores().size() == b.roundScores().size()) {
      List<Double> ratios = new ArrayList<>();
      for (int i = 0; i < r.roundScores().size(); i++) {
        ratios.add(b.roundScores().get(i) / r.roundScores().get(i));
      }
      return OptionalDouble.of(median(ratios));
    }
    return OptionalDouble.of(b.opsPerSecond() / r.opsPerSecond());
  }


  /**
   * Whether {@code r} is too noisy to rest a comparison on: its error is unknown (a single
   * iteration) or more than {@link #UNRELIABLE_ERROR_FRACTION} of its score.
   */
  static boolean unreliable(Row r) {
    return !(Double.isFinite(r.error()) && r.opsPerSecond() > 0)
        || r.error() > UNRELIABLE_ERROR_FRACTION * r.opsPerSecond();
  }

  /** Whether the ratio of {@code r} rests on an unreliable result: its own or its baseline's. */
  boolean ratioUnreliable(Row r) {
    if (unreliable(r)) {
      return true;
    }
    Optional<String> baseline = baselineOf(r.store());
    Row b = baseline.map(name -> byKey.get(name + " " + r.comparisonKey())).orElse(null);
    return b != null && unreliable(b);
  }

  /** Why a ratio or comparison is unreliable, for a verdict line, naming the noisiest result. */
  private static String unreliableReason(Row... involved) {
    Row worst = null;
    for (Row r : involved) {
      if (unreliable(r) && (worst == null || relativeError(r) > relativeError(worst))) {
        worst = r;
      }
    }
    if (worst == null) {
      return "";
    }
    double rel = relativeError(worst);
    return Double.isFinite(rel)
        ? String.format(Locale.ROOT, "%s ± %.0f%% of its score", worst.store(), rel * 100)
        : worst.store() + " has no error estimate";
  }

  private static double relativeError(Row r) {
    return Double.isFinite(r.error()) && r.opsPerSecond() > 0 ? r.error() / r.opsPerSecond() : Double.POSITIVE_INFINITY;
  }

  /** The rows a comparison of {@code r} with its baseline rests on. */
  private Row[] withBaseline(Row r) {
    Row b = baselineOf(r.store()).map(name -> byKey.get(name + " " + r.comparisonKey())).orElse(null);
    return b == null ? new Row[] {r} : new Row[] {r, b};
  }

  /** MB/s of {@code r}: operations per second times the encoded size of the session involved. */
  OptionalDouble megabytesPerSecond(Row r) {
    OptionalDouble bytes = operation(r).bytes().apply(r);
    return bytes.isPresent()
        ? OptionalDouble.of(r.opsPerSecond() * bytes.getAsDouble() / 1_000_000.0)
        : OptionalDouble.empty();
  }

  /**
   * The ratios at a glance: one line per operation, size and threads, one column per store that
   * has a baseline (cost × baseline, and ops/s). Empty when no result has a ratio.
   */
  String ratioMatrix() {
    List<String> compared = stores().stream()
        .filter(s -> !isBaseline(s) && baselineOf(s).isPresent())
        .filter(s -> rows.stream().anyMatch(r -> r.store().equals(s) && ratio(r).isPresent()))
        .collect(Collectors.toList());
    if (compared.isEmpty()) {
      return "";
    }
    // lines in report order, keyed by what a store's result and its baseline share
    Map<String, Row> lines = new LinkedHashMap<>();
    for (Row r : rows) {
      if (compared.contains(r.store())) {
        lines.putIfAbsent(r.comparisonKey(), r);
      }
    }
    StringBuilder b = new StringBuilder("| operation | size | threads |");
    compared.forEach(s -> b.append(' ').append(s).append(" × baseline | ").append(s).append(" ops/s |"));
    b.append("\n|---|---|--:|");
    compared.forEach(s -> b.append("--:|--:|"));
    b.append('\n');
    for (Row line : lines.values()) {
      Operation op = operation(line);
      // a size chosen per store (a first page over each store's own population) goes with its cells
      boolean perStore = compared.stream()
          .map(s -> byKey.get(s + " " + line.comparisonKey())).filter(Objects::nonNull)
          .map(r -> op.size().apply(r)).distinct().count() > 1;
      b.append("| ").append(op.label()).append(" | ").append(perStore ? "by store" : op.size().apply(line))
          .append(" | ").append(line.threads()).append(" |");
      for (String s : compared) {
        Row r = byKey.get(s + " " + line.comparisonKey());
        if (r == null) {
          b.append(" – | – |");
        } else {
          b.append(' ').append(ratioCell(r)).append(" | ").append(formatOps(r.opsPerSecond()))
              .append(perStore ? " over " + op.size().apply(r) : "").append(" |");
        }
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** The Markdown table with a legend and the findings. */
  String markdown() {
    StringBuilder b = new StringBuilder();
    String matrix = ratioMatrix();
    if (!matrix.isEmpty()) {
      b.append("### At a glance: cost × baseline\n\n").append(matrix);
      long noisy = unreliableRatios();
      if (noisy > 0) {
        b.append(String.format(Locale.ROOT,
            "%n**%d of these ratios are unreliable**: the store's or its baseline's ± is more than %.0f%% of "
                + "its score (a busy machine, or too few iterations), so they are shown but no verdict is drawn "
                + "from them; %s.%n",
            noisy, UNRELIABLE_ERROR_FRACTION * 100, UNRELIABLE_HINT));
      }
      b.append("\n### Every result\n\n");
    }
    b.append("| store | operation | size | threads | ops/s | ± | MB/s | cost × baseline |\n");
    b.append("|---|---|---|--:|--:|--:|--:|--:|\n");
    for (Row r : rows) {
      Operation op = operation(r);
      b.append("| ").append(r.store())
          .append(" | ").append(op.label())
          .append(" | ").append(op.size().apply(r))
          .append(" | ").append(r.threads())
          .append(" | ").append(formatOps(r.opsPerSecond()))
          .append(" | ").append(Double.isFinite(r.error()) ? formatOps(r.error()) : "–")
          .append(" | ").append(megabytesPerSecond(r).isPresent() ? format1(megabytesPerSecond(r).getAsDouble()) : "–")
          .append(" | ").append(ratioCell(r))
          .append(" |\n");
    }
    b.append('\n')
        .append("*cost × baseline*: the store's time per operation divided by its baseline's for the same ")
        .append("operation, size and threads (1.00× = as fast as the raw medium; lower is better). ")
        .append("Baselines (each runs on the caller's thread and returns a completed future):");
    for (String store : stores()) {
      if (isBaseline(store)) {
        b.append(" `").append(store).append("` = ").append(describe(store)).append(';');
      }
    }
    b.append(" the memory and file baselines list by scanning everything on every call; the server ")
        .append("baselines have no index, so server listings show absolute numbers only. ")
        .append("*±*: JMH's 99.9% confidence half-interval, or with several rounds half the range of ")
        .append("the rounds' scores. ")
        .append(String.format(Locale.ROOT,
            "*unreliable*: the result's ± (or its baseline's) is more than %.0f%% of its score, or unknown; "
                + "such a ratio is no basis for a verdict (%s). ",
            UNRELIABLE_ERROR_FRACTION * 100, UNRELIABLE_HINT))
        .append("*MB/s*: operations per second × the plain encoded size of the session saved, loaded or ")
        .append("produced (listings: –). *turn N*: the append (or full save) meets sessions of N to ")
        .append("N + max(10, N/10) − 1 messages.\n");
    String findings = findings();
    if (!findings.isEmpty()) {
      b.append("\n### Findings\n\n").append(findings);
    }
    return b.toString();
  }

  private String ratioCell(Row r) {
    if (baselineOf(r.store()).isEmpty()) {
      return isBaseline(r.store()) ? (unreliable(r) ? "baseline (unreliable)" : "baseline") : "–";
    }
    OptionalDouble ratio = ratio(r);
    if (ratio.isEmpty()) {
      return "–";
    }
    return formatRatio(ratio.getAsDouble()) + (ratioUnreliable(r) ? " (unreliable)" : "");
  }

  /** How many store results with a ratio rest on an unreliable result. */
  private long unreliableRatios() {
    return rows.stream().filter(r -> ratio(r).isPresent() && ratioUnreliable(r)).count();
  }

  /** Derived comparisons, one bullet each, for the results that are present. */
  String findings() {
    StringBuilder b = new StringBuilder();
    for (String store : stores()) {
      if (isBaseline(store)) {
        continue; // baselines are the yardstick; their own comparisons say nothing about a store
      }
      // append against a full save, and append at the largest turn against the smallest
      List<Row> appends = select(store, "AppendBenchmark", "append");
      for (Row a : appends) {
        find(store, "AppendBenchmark", "fullSave", a.params(), a.threads())
            .ifPresent(f -> b.append(String.format(Locale.ROOT,
                "- %s: append at turn %s takes %s the time of a full save of the same session (%s vs %s ops/s, %d thread%s)%s%n",
                store, count(a.params().get("turn")), formatRatio(f.opsPerSecond() / a.opsPerSecond()),
                formatOps(a.opsPerSecond()), formatOps(f.opsPerSecond()), a.threads(), a.threads() == 1 ? "" : "s",
                unreliableSuffix(a, f))));
      }
      spread(b, store, appends, "turn", "append at turn %s costs %s append at turn %s");
      spread(b, store, select(store, "ListAllBenchmark", "list"), "size",
          "list() over sessions of %s messages costs %s list() over sessions of %s messages");
      for (String[] pair : new String[][] {{"firstPage", "firstPageCold"}, {"firstPagePrefix", "firstPagePrefixCold"}}) {
        for (Row warm : select(store, "FirstPageBenchmark", pair[0])) {
          find(store, "FirstPageColdBenchmark", pair[1], warm.params(), warm.threads())
              .ifPresent(cold -> b.append(String.format(Locale.ROOT,
                  "- %s: %s over %s sessions: cold %s ms, warm %s ms%s%n",
                  store, pair[0].equals("firstPage") ? "first page" : "first page with a prefix",
                  count(String.valueOf(pagePopulation(warm))), formatMillis(cold.opsPerSecond()),
                  formatMillis(warm.opsPerSecond()), unreliableSuffix(cold, warm))));
        }
      }
    }
    targets(b);
    return b.toString();
  }

  /** " (unreliable: …)" when a finding rests on an unreliable result, else empty. */
  private static String unreliableSuffix(Row... involved) {
    String reason = unreliableReason(involved);
    return reason.isEmpty() ? "" : " (unreliable: " + reason + ")";
  }

  /** The end of a target's line: its verdict, or why there is none. */
  private static String verdict(boolean met, Row... involved) {
    String reason = unreliableReason(involved);
    return reason.isEmpty()
        ? (met ? "met" : "missed")
        : "unreliable, no verdict (" + reason + "; " + UNRELIABLE_HINT + ")";
  }

  /** How much more list() over sessions of the largest size may cost than over the smallest. */
  static final double LIST_INDEPENDENCE = 1.5;

  private void targets(StringBuilder b) {
    for (String store : List.of("memory", "file")) {
      List<Row> lists = select(store, "ListAllBenchmark", "list");
      lists.sort(Comparator.comparingDouble(r -> number(r.params().get("size"))));
      if (lists.size() >= 2) {
        Row small = lists.get(0);
        Row large = lists.get(lists.size() - 1);
        double cost = small.opsPerSecond() / large.opsPerSecond();
        if (small.threads() == large.threads() && number(small.params().get("size")) < number(large.params().get("size"))) {
          b.append(String.format(Locale.ROOT,
              "- target %s list() independent of session size (≤ %.1f× from %s to %s msgs, %s sessions): %s — %s%n",
              store, LIST_INDEPENDENCE, count(small.params().get("size")), count(large.params().get("size")),
              count(small.params().get("sessions")), formatRatio(cost), verdict(cost <= LIST_INDEPENDENCE, small, large)));
        }
      }
    }
    String[][] targets = {
      {"memory", "save", "2.0"}, {"memory", "load", "2.0"}, {"file", "save", "1.3"}, {"file", "load", "1.2"}
    };
    for (String[] t : targets) {
      for (Row r : select(t[0], "SaveLoadBenchmark", t[1])) {
        OptionalDouble ratio = ratio(r);
        if (ratio.isPresent()) {
          double goal = Double.parseDouble(t[2]);
          b.append(String.format(Locale.ROOT,
              "- target %s %s ≤ %.1f× baseline (%s msgs, %d thread%s): %s — %s%n",
              t[0], t[1], goal, count(r.params().get("size")), r.threads(), r.threads() == 1 ? "" : "s",
              formatRatio(ratio.getAsDouble()), verdict(ratio.getAsDouble() <= goal, withBaseline(r))));
        }
      }
    }
  }

  private void spread(StringBuilder b, String store, List<Row> rows, String param, String sentence) {
    Map<Integer, List<Row>> byThreads =
        rows.stream().collect(Collectors.groupingBy(Row::threads, TreeMap::new, Collectors.toList()));
    for (List<Row> same : byThreads.values()) {
      if (same.size() < 2) {
        continue;
      }
      same.sort(Comparator.comparingDouble(r -> number(r.params().get(param))));
      Row small = same.get(0);
      Row large = same.get(same.size() - 1);
      if (number(small.params().get(param)) == number(large.params().get(param))) {
        continue;
      }
      b.append("- ").append(store).append(": ")
          .append(String.format(Locale.ROOT, sentence, count(large.params().get(param)),
              formatRatio(small.opsPerSecond() / large.opsPerSecond()), count(small.params().get(param))))
          .append(String.format(Locale.ROOT, " (%d thread%s)%s%n", small.threads(), small.threads() == 1 ? "" : "s",
              unreliableSuffix(small, large)));
    }
  }

  /**
   * The chart: one horizontal bar per store result that has a baseline, grouped by operation,
   * size and threads, on a logarithmic axis of cost ratio with a line at 1×.
   */
  String svg() {
    record Bar(String group, String store, double ratio, boolean unreliable) {}
    List<Bar> bars = new ArrayList<>();
    for (Row r : rows) {
      OptionalDouble ratio = ratio(r);
      if (ratio.isPresent() && ratio.getAsDouble() > 0 && Double.isFinite(ratio.getAsDouble())) {
        Operation op = operation(r);
        bars.add(new Bar(op.label() + " · " + op.size().apply(r) + " · " + r.threads() + "t", r.store(),
            ratio.getAsDouble(), ratioUnreliable(r)));
      }
    }
    List<String> stores = bars.stream().map(Bar::store).distinct().collect(Collectors.toList());
    double minLog = Math.floor(Math.log10(bars.stream().mapToDouble(Bar::ratio).min().orElse(1) ));
    double maxLog = Math.ceil(Math.log10(bars.stream().mapToDouble(Bar::ratio).max().orElse(1)));
    minLog = Math.min(minLog, 0);
    maxLog = Math.max(maxLog, Math.max(minLog + 1, 0));
    int labelWidth = 330;
    int plotWidth = 560;
    int barHeight = 14;
    int groupGap = 8;
    int top = 56;
    String[] colors = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
    Map<String, String> color = new LinkedHashMap<>();
    for (int i = 0; i < stores.size(); i++) {
      color.put(stores.get(i), colors[i % colors.length]);
    }
    StringBuilder body = new StringBuilder();
    int y = top;
    String previous = null;
    double span = maxLog - minLog;
    double x1 = labelWidth + plotWidth * (0 - minLog) / span;
    for (Bar bar : bars) {
      if (!bar.group().equals(previous)) {
        y += previous == null ? 0 : groupGap;
        body.append(String.format(Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"label\">%s</text>%n",
            labelWidth - 8, y + barHeight - 3, escape(bar.group())));
        previous = bar.group();
      }
      double x = labelWidth + plotWidth * (Math.log10(bar.ratio()) - minLog) / span;
      double left = Math.min(x, x1);
      double width = Math.max(Math.abs(x - x1), 1);
      // an unreliable ratio is drawn faint, and says so
      String mark = bar.unreliable() ? " (unreliable)" : "";
      body.append(String.format(Locale.ROOT,
          "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"%s><title>%s: %s%s</title></rect>%n",
          left, y, width, barHeight - 2, color.get(bar.store()), bar.unreliable() ? " fill-opacity=\"0.3\"" : "",
          escape(bar.store() + " · " + bar.group()), formatRatio(bar.ratio()), mark));
      body.append(String.format(Locale.ROOT,
          "<text x=\"%.1f\" y=\"%d\" class=\"value\">%s %s%s</text>%n",
          Math.max(x, x1) + 4, y + barHeight - 3, escape(bar.store()), formatRatio(bar.ratio()), mark));
      y += barHeight;
    }
    int height = y + 40;
    int width = labelWidth + plotWidth + 140;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n",
        width, height, width, height));
    svg.append("<style>text{font-family:sans-serif;font-size:11px;fill:#222}.label{font-size:11px}"
        + ".value{font-size:10px;fill:#555}.title{font-size:14px;font-weight:bold}</style>\n");
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
    svg.append("<text x=\"10\" y=\"20\" class=\"title\">sessionkit: time per operation relative to the raw medium (log scale, lower is better)</text>\n");
    for (double d = minLog; d <= maxLog + 1e-9; d++) {
      double x = labelWidth + plotWidth * (d - minLog) / span;
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%s\"/>%n",
          x, top - 6, x, y + 4, d == 0 ? "#000" : "#ddd", d == 0 ? "1.5" : "1"));
      svg.append(String.format(Locale.ROOT,
          "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s×</text>%n", x, top - 10, trimNumber(Math.pow(10, d))));
    }
    svg.append(body);
    int lx = 10;
    for (Map.Entry<String, String> e : color.entrySet()) {
      svg.append(String.format(Locale.ROOT,
          "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
          lx, y + 18, e.getValue(), lx + 14, y + 27, escape(e.getKey())));
      lx += 34 + 7 * e.getKey().length();
    }
    if (bars.isEmpty()) {
      svg.append("<text x=\"10\" y=\"50\">no result with a baseline in this run</text>\n");
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  // ------------------------------------------------------------------ helpers

  private List<String> stores() {
    return rows.stream().map(Row::store).distinct().collect(Collectors.toList());
  }

  private List<Row> select(String store, String benchmark, String method) {
    return rows.stream()
        .filter(r -> r.store().equals(store) && r.benchmark().equals(benchmark) && r.method().equals(method))
        .collect(Collectors.toCollection(ArrayList::new));
  }

  private Optional<Row> find(String store, String benchmark, String method, Map<String, String> params, int threads) {
    return Optional.ofNullable(
        byKey.get(store + " " + new Row(benchmark, method, store, params, threads, 0, 0).comparisonKey()));
  }

  private int storeRank(String store) {
    int i = storeOrder.indexOf(store);
    return i < 0 ? Integer.MAX_VALUE : i;
  }

  private static Optional<String> baselineOf(String store) {
    try {
      return StoreFactories.forName(store).baseline();
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // a store without a configured URI in this JVM: no baseline known
    }
  }

  private static String describe(String store) {
    try {
      return StoreFactories.forName(store).description().replaceFirst("^baseline: ", "");
    } catch (IllegalArgumentException e) {
      return "(unknown)";
    }
  }

  private static boolean isBaseline(String store) {
    return store.startsWith("raw-");
  }

  private static Operation operation(Row r) {
    Operation op = OPERATIONS.get(r.benchmark() + "." + r.method());
    if (op != null) {
      return op;
    }
    String label = r.benchmark() + "." + r.method();
    return new Operation(label, Integer.MAX_VALUE, x -> x.params().toString(), x -> 0.0, x -> OptionalDouble.empty());
  }

  private static int pagePopulation(Row r) {
    String sessions = r.params().getOrDefault("sessions", "auto");
    try {
      return FirstPageBenchmark.population(r.store(), sessions);
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }

  private static OptionalDouble bytes(String messages, int plus) {
    if (messages == null) {
      return OptionalDouble.empty();
    }
    try {
      return OptionalDouble.of(SessionFixtures.encodedSize(Integer.parseInt(messages) + plus));
    } catch (NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }

  private static double number(String s) {
    try {
      return s == null ? 0 : Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String count(String s) {
    double n = number(s);
    return n == 0 && !"0".equals(s) ? String.valueOf(s) : String.format(Locale.ROOT, "%,d", (long) n);
  }

  /** A cost ratio with two decimals, or two significant digits below 0.1, and "×". */
  static String formatRatio(double v) {
    if (v >= 1000) {
      return String.format(Locale.ROOT, "%,d×", Math.round(v));
    }
    if (v >= 0.1 || v <= 0) {
      return String.format(Locale.ROOT, "%.2f×", v);
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(2)).toPlainString() + "×";
  }

  static String formatOps(double v) {
    if (!Double.isFinite(v)) {
      return "–";
    }
    if (v >= 100) {
      return String.format(Locale.ROOT, "%,d", Math.round(v));
    }
    if (v >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String format1(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%,d", Math.round(v)) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String formatMillis(double opsPerSecond) {
    double ms = 1000.0 / opsPerSecond;
    return ms >= 10 ? String.format(Locale.ROOT, "%,.0f", ms) : String.format(Locale.ROOT, "%.3f", ms);
  }

  private static String trimNumber(double v) {
    return v >= 1 ? String.format(Locale.ROOT, "%,d", Math.round(v)) : String.format(Locale.ROOT, "%s", v);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
