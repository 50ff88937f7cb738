package org.sessionkit.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.sessionkit.SessionStorages;
import picocli.CommandLine.IVersionProvider;

/** Prints the version of sessionkit, the stores on the class path and the Java runtime. */
public final class VersionProvider implements IVersionProvider {

  /** Creates the provider (for picocli). */
  public VersionProvider() {}

  @Override
  public String[] getVersion() {
    return new String[] {
      "sessionkit " + version(),
      "stores: " + String.join(" ", SessionStorages.availableSchemes()),
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
    };
  }

  /** Returns the version of this build, from the resource Maven filled in. */
  static String version() {
    Properties p = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      return "(unknown version)";
    }
    return p.getProperty("version", "(unknown version)");
  }
}
