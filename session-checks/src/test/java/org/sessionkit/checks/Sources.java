package org.sessionkit.checks;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * The Java sources of the repository, parsed (not compiled) with the JDK's own parser: every
 * module directory beside this one that has a {@code pom.xml}, its {@code src/main/java} and
 * {@code src/test/java}. A module added later is found without being listed anywhere.
 */
final class Sources {

  /**
   * One parsed source file and where it belongs.
   *
   * @param module the module directory the file is in
   * @param artifact the module whose sources it is compiled with: {@code module} itself, or the
   *     module whose source tree {@code module} compiles too (see {@link #sharedSourcesOf})
   */
  record Unit(String module, String artifact, boolean main, Path file, CompilationUnitTree tree, DocTrees docs) {

    /** The package the file declares ({@code ""} for none). */
    String packageName() {
      return tree.getPackageName() == null ? "" : tree.getPackageName().toString();
    }
  }

  private Sources() {}

  /** The repository's root: the parent of this module's directory. */
  static Path root() {
    Path here = Path.of("").toAbsolutePath();
    Path root = here.getParent();
    if (root == null || !Files.isRegularFile(root.resolve("pom.xml")) || !Files.isRegularFile(here.resolve("pom.xml"))) {
      throw new IllegalStateException("run from the session-checks module directory, not " + here);
    }
    return root;
  }

  /** Every module directory of the repository (a directory with a pom.xml and Java sources). */
  static List<Path> modules() {
    try (Stream<Path> dirs = Files.list(root())) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("pom.xml")))
          .filter(d -> Files.isDirectory(d.resolve("src/main/java")) || Files.isDirectory(d.resolve("src/test/java")))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses every Java file of every module. */
  static List<Unit> parseAll() {
    List<Unit> units = new ArrayList<>();
    for (Path module : modules()) {
      units.addAll(parse(module, true));
      units.addAll(parse(module, false));
    }
    return units;
  }

  private static final Pattern SHARED_DIR =
      Pattern.compile("<shared\\.dir>\\$\\{project\\.basedir\\}/\\.\\./([A-Za-z0-9._-]+)/src</shared\\.dir>");

  /**
   * The module whose source tree {@code module} compiles as well as its own, if any: a module
   * built for another line of a framework (session-spring-ai-boot3) declares it as the property
   * {@code shared.dir} = {@code ${project.basedir}/../<module>/src}. Its own files complete that
   * module's packages, so they count as part of it.
   */
  static String sharedSourcesOf(Path module) {
    try {
      Matcher m = SHARED_DIR.matcher(Files.readString(module.resolve("pom.xml")));
      return m.find() ? m.group(1) : module.getFileName().toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Unit> parse(Path module, boolean main) {
    Path dir = module.resolve(main ? "src/main/java" : "src/test/java");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (files.isEmpty()) {
      return List.of();
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StandardJavaFileManager fm = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
    Iterable<? extends JavaFileObject> objects = fm.getJavaFileObjectsFromPaths(files);
    JavacTask task = (JavacTask) javac.getTask(null, fm, d -> { }, List.of("-proc:none"), null, objects);
    DocTrees docs = DocTrees.instance(task);
    List<Unit> units = new ArrayList<>();
    String artifact = sharedSourcesOf(module);
    try {
      for (CompilationUnitTree tree : task.parse()) {
        units.add(new Unit(module.getFileName().toString(), artifact, main, Path.of(tree.getSourceFile().toUri()), tree, docs));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return units;
  }
}
