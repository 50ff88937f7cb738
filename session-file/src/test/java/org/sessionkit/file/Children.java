package org.sessionkit.file;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Starts {@link ChildMain} in child JVMs with this JVM's class path. */
final class Children {

  private final List<String> prefix;
  private final boolean classDataSharing;

  private Children(List<String> prefix, boolean classDataSharing) {
    this.prefix = prefix;
    this.classDataSharing = classDataSharing;
  }

  private static List<String> java(String classPath, String... options) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Short-lived writers: C1 only and a small serial heap start fastest on a busy machine.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:-UsePerfData");
    command.add("-Xmx128m");
    command.addAll(List.of(options));
    command.add("-cp");
    command.add(classPath);
    command.add(ChildMain.class.getName());
    return command;
  }

  /** Children started with the class path as it is. */
  static Children plain() {
    return new Children(java(System.getProperty("java.class.path")), false);
  }

  /**
   * Children that start faster: the class-path directories are packed into one jar (class data
   * sharing accepts only jars), one child runs to its "ready" point and exits, dumping the
   * classes it loaded into an archive, and every later child maps that archive instead of
   * loading and verifying those classes again. If any of that fails, plain children.
   */
  static Children withSharedClasses(Path work) {
    try {
      List<String> entries = new ArrayList<>();
      Path jar = work.resolve("classes.jar");
      Set<String> seen = new HashSet<>();
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
          Path p = Path.of(entry);
          if (Files.isDirectory(p)) {
            pack(p, out, seen);
          } else if (Files.exists(p)) {
            entries.add(entry);
          }
        }
      }
      entries.add(0, jar.toString());
      String classPath = String.join(File.pathSeparator, entries);
      Path archive = work.resolve("children.jsa");
      List<String> dump = java(classPath, "-XX:ArchiveClassesAtExit=" + archive, "-Dsessionkit.child.warmup=true");
      dump.addAll(List.of("crash", "0", "false", "warm-up"));
      Process p = new ProcessBuilder(dump).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      p.getOutputStream().close(); // no directory: the child warms up, prints ready and exits
      if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.size(archive) > 0) {
        // -Xshare:auto: a child that can't map the archive still runs, just slower.
        return new Children(java(classPath, "-XX:SharedArchiveFile=" + archive, "-Xshare:auto"), true);
      }
      p.destroyForcibly();
    } catch (IOException e) {
      // Fall back to plain children below.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return plain();
  }

  private static void pack(Path root, JarOutputStream out, Set<String> seen) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(Files::isRegularFile).collect(Collectors.toList());
    }
    for (Path f : files) {
      String name = root.relativize(f).toString().replace(File.separatorChar, '/');
      if (name.equals("META-INF/MANIFEST.MF") || !seen.add(name)) {
        continue;
      }
      out.putNextEntry(new JarEntry(name));
      try (OutputStream o = new NonClosing(out)) {
        Files.copy(f, o);
      }
      out.closeEntry();
    }
  }

  /** Whether children map a shared class archive. */
  boolean sharesClasses() {
    return classDataSharing;
  }

  /**
   * Starts a child JVM running {@code ChildMain args}; its standard error goes to {@code
   * stderr} (appended), its standard input and output are pipes.
   */
  Process start(Path stderr, String... args) throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
        .start();
  }

  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() {
      // The jar stays open for the next entry.
    }
  }
}
