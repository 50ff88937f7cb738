package org.sessionkit.tck;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs only the kit's checks named in the system property {@value #PROPERTY}, so that one check
 * or one group can be run from a store's own build with plain surefire (the checks live in
 * nested classes, which {@code -Dtest=Class#method} does not select):
 *
 * <pre>
 * ./mvnw verify -pl my-store -Dtest='MyStoreTckTest*' -Dsessionkit.tck.only=Slices
 * ./mvnw verify -pl my-store -Dtest='MyStoreTckTest*' -Dsessionkit.tck.only=loadTailReturnsTheLastMessages
 * ./mvnw verify -pl my-store -Dtest='MyStoreTckTest*' -Dsessionkit.tck.only=Slices.loadTailReturnsTheLastMessages,IdempotencyKeys
 * </pre>
 *
 * <p>The value is a comma-separated list; each entry names a group (the nested class, e.g.
 * {@code Slices}), a check (the method, e.g. {@code loadTailReturnsTheLastMessages}) or both
 * ({@code Group.check} or {@code Group#check}), matched without regard to case. The other checks
 * are reported as skipped, naming the property. Unset or empty, every check runs. Registered on
 * {@link SessionStorageCompatibilityKit}; nothing to do in a store's test class.
 */
public final class CheckSelection implements ExecutionCondition {

  /** The system property that names the checks to run. */
  public static final String PROPERTY = "sessionkit.tck.only";

  /** Created by JUnit. */
  public CheckSelection() {}

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String value = System.getProperty(PROPERTY, "").trim();
    if (value.isEmpty() || context.getTestMethod().isEmpty()) {
      return ConditionEvaluationResult.enabled("no selection");
    }
    String group = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT);
    String check = context.getRequiredTestMethod().getName().toLowerCase(Locale.ROOT);
    List<String> wanted = Arrays.stream(value.split(",")).map(String::trim).filter(w -> !w.isEmpty())
        .map(w -> w.toLowerCase(Locale.ROOT).replace('#', '.')).toList();
    for (String w : wanted) {
      if (w.equals(group) || w.equals(check) || w.equals(group + "." + check)) {
        return ConditionEvaluationResult.enabled(PROPERTY + " selects it");
      }
    }
    return ConditionEvaluationResult.disabled(PROPERTY + "=" + value + " does not select it");
  }
}
