package org.sessionkit.checks;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ImportTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ModifiersTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.lang.model.element.Modifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rules that hold for every module of the repository, checked on its sources (main and test) on
 * every {@code ./mvnw verify}. Each failure lists every offending place, as {@code module/path:line
 * what}, so one run shows all there is to fix.
 */
class RepositoryChecksTest {

  private static List<Sources.Unit> units;

  @BeforeAll
  static void parse() {
    units = Sources.parseAll();
  }

  @Test
  @DisplayName("the checks see every module (so that a parse problem can't make them pass)")
  void theChecksSeeEveryModule() {
    Set<String> modules = new TreeSet<>();
    units.forEach(u -> modules.add(u.module()));
    assertThat(modules).contains("session-api", "session-file", "session-memory", "session-postgres",
        "session-redis", "session-tck", "session-cli", "session-bench");
    assertThat(units.stream().filter(Sources.Unit::main).count()).isGreaterThan(100);
  }

  @Test
  @DisplayName("a module built from another module's sources counts as that module (and only such a module)")
  void aModuleBuiltFromAnothersSourcesCountsAsThatModule() {
    assertThat(Sources.sharedSourcesOf(Sources.root().resolve("session-spring-ai-boot3"))).isEqualTo("session-spring-ai");
    assertThat(Sources.sharedSourcesOf(Sources.root().resolve("session-spring-ai"))).isEqualTo("session-spring-ai");
    assertThat(Sources.sharedSourcesOf(Sources.root().resolve("session-bench"))).isEqualTo("session-bench");
  }

  @Test
  @DisplayName("no module uses another module's internal package")
  void noModuleUsesAnotherModulesInternalPackage() {
    Map<String, Set<String>> owned = new HashMap<>();
    for (Sources.Unit u : units) {
      owned.computeIfAbsent(u.artifact(), m -> new HashSet<>()).add(u.packageName());
    }
    List<String> violations = new ArrayList<>();
    for (Sources.Unit u : units) {
      Set<String> own = owned.get(u.artifact());
      Set<String> seen = new TreeSet<>();
      new TreePathScanner<Void, Void>() {
        @Override
        public Void visitImport(ImportTree node, Void unused) {
          check(node.getQualifiedIdentifier().toString(), node);
          return null; // its parts are not separate uses
        }

        @Override
        public Void visitMemberSelect(MemberSelectTree node, Void unused) {
          if (check(node.toString(), node)) {
            return null;
          }
          return super.visitMemberSelect(node, unused);
        }

        private boolean check(String name, Tree node) {
          String pkg = internalPackageOf(name);
          if (pkg != null && !own.contains(pkg) && seen.add(pkg + " " + where(u, node))) {
            violations.add(where(u, node) + " uses " + pkg);
            return true;
          }
          return pkg != null;
        }
      }.scan(u.tree(), null);
    }
    assertThat(violations)
        .as("uses of another module's internal package: offer what is needed as public API (org.sessionkit.spi) instead")
        .isEmpty();
  }

  @Test
  @DisplayName("every public type and member outside internal packages has a Javadoc comment")
  void everyPublicTypeAndMemberHasJavadoc() {
    List<String> missing = new ArrayList<>();
    for (Sources.Unit u : units) {
      if (!u.main() || isInternal(u.packageName()) || u.file().getFileName().toString().equals("package-info.java")) {
        continue;
      }
      new TreePathScanner<Void, Boolean>() {
        @Override
        public Void visitClass(ClassTree node, Boolean outerVisible) {
          // kept: scanning a nested type through scan(TreePath, …) resets the current path
          TreePath self = getCurrentPath();
          boolean visible = outerVisible && isVisible(node.getModifiers(), self);
          if (visible && !hasDoc(self)) {
            missing.add(where(u, node) + " type " + node.getSimpleName());
          }
          if (!visible) {
            return null; // nothing inside a hidden type is API
          }
          for (Tree member : node.getMembers()) {
            TreePath path = new TreePath(self, member);
            if (member instanceof ClassTree) {
              scan(path, true);
            } else if (member instanceof MethodTree) {
              MethodTree m = (MethodTree) member;
              boolean generated = m.getName().contentEquals("<init>") && isGeneratedConstructor(u, m);
              if (!generated && isVisible(m.getModifiers(), path) && !overrides(m.getModifiers()) && !hasDoc(path)) {
                missing.add(where(u, m) + " " + (m.getName().contentEquals("<init>") ? "constructor of " + node.getSimpleName() : "method " + m.getName()));
              }
            } else if (member instanceof VariableTree) {
              VariableTree v = (VariableTree) member;
              if (isVisible(v.getModifiers(), path) && !hasDoc(path)) {
                missing.add(where(u, v) + " field " + v.getName());
              }
            }
          }
          return null;
        }

        private boolean hasDoc(TreePath path) {
          String doc = u.docs().getDocComment(path);
          return doc != null && !doc.isBlank();
        }
      }.scan(new TreePath(u.tree()), true);
    }
    assertThat(missing).as("public API without a Javadoc comment (say what it does and promises)").isEmpty();
  }

  @Test
  @DisplayName("every package has a package-info.java that says what it is for and is @NullMarked")
  void everyPackageHasANullMarkedPackageInfo() {
    Map<String, Sources.Unit> infos = new HashMap<>();
    Set<String> packages = new TreeSet<>();
    for (Sources.Unit u : units) {
      if (!u.main()) {
        continue;
      }
      // a module compiling another's sources shares that module's package-info files
      String key = u.artifact() + " " + u.packageName();
      packages.add(key);
      if (u.file().getFileName().toString().equals("package-info.java")) {
        infos.put(key, u);
      }
    }
    List<String> problems = new ArrayList<>();
    for (String key : packages) {
      Sources.Unit info = infos.get(key);
      if (info == null) {
        problems.add(key + ": no package-info.java");
        continue;
      }
      String doc = info.tree().getPackage() == null
          ? null
          : info.docs().getDocComment(new TreePath(new TreePath(info.tree()), info.tree().getPackage()));
      if (doc == null || doc.isBlank()) {
        problems.add(key + ": package-info.java has no Javadoc saying what the package is for");
      }
      boolean nullMarked = info.tree().getPackageAnnotations().stream()
          .map(AnnotationTree::getAnnotationType).map(Object::toString)
          .anyMatch(a -> a.equals("NullMarked") || a.equals("org.jspecify.annotations.NullMarked"));
      if (!nullMarked) {
        problems.add(key + ": package-info.java is not @NullMarked");
      }
    }
    assertThat(problems).isEmpty();
  }

  /** The internal package a qualified name lies in, or null: {@code org.sessionkit.x.internal[.y]}. */
  static String internalPackageOf(String name) {
    if (!name.startsWith("org.sessionkit.")) {
      return null;
    }
    String[] parts = name.split("\\.");
    StringBuilder pkg = new StringBuilder();
    boolean internal = false;
    for (String part : parts) {
      if (part.isEmpty() || part.equals("*") || Character.isUpperCase(part.charAt(0))) {
        break; // a type (or a wildcard): the package ends here
      }
      if (pkg.length() > 0) {
        pkg.append('.');
      }
      pkg.append(part);
      internal |= part.equals("internal");
    }
    return internal ? pkg.toString() : null;
  }

  private static boolean isInternal(String pkg) {
    return (pkg + ".").contains(".internal.");
  }

  /** Public, or protected in a class; members of interfaces and annotations are public. */
  private static boolean isVisible(ModifiersTree modifiers, TreePath path) {
    Set<Modifier> flags = modifiers.getFlags();
    if (flags.contains(Modifier.PRIVATE)) {
      return false;
    }
    if (flags.contains(Modifier.PUBLIC) || flags.contains(Modifier.PROTECTED)) {
      return true;
    }
    Tree parent = path.getParentPath() == null ? null : path.getParentPath().getLeaf();
    if (parent instanceof ClassTree) {
      Tree.Kind kind = parent.getKind();
      return kind == Tree.Kind.INTERFACE || kind == Tree.Kind.ANNOTATION_TYPE;
    }
    return false;
  }

  private static boolean overrides(ModifiersTree modifiers) {
    return modifiers.getAnnotations().stream()
        .map(a -> a.getAnnotationType().toString())
        .anyMatch(a -> a.equals("Override") || a.equals("java.lang.Override"));
  }

  /** A record's or enum's constructor that javac adds to the tree (it has no position of its own). */
  private static boolean isGeneratedConstructor(Sources.Unit u, MethodTree m) {
    return u.docs().getSourcePositions().getStartPosition(u.tree(), m) < 0;
  }

  private static String where(Sources.Unit u, Tree node) {
    long start = u.docs().getSourcePositions().getStartPosition(u.tree(), node);
    long line = start < 0 ? 0 : u.tree().getLineMap().getLineNumber(start);
    Path relative = Sources.root().relativize(u.file());
    return relative + ":" + line;
  }
}
