package org.sessionkit.testproviders;

import java.util.Set;
import org.sessionkit.SessionStorage;
import org.sessionkit.spi.SessionStorageProvider;
import org.sessionkit.spi.StorageUri;

/** Providers registered in this module's test resources to exercise discovery. */
public final class TestProviders {
  private TestProviders() {}

  /** Records the URI it was asked to open; serves {@code echo:} and {@code echo:deep:}. */
  public static final class Echo implements SessionStorageProvider {
    /** The last URI given to {@link #create}. */
    public static volatile StorageUri last;

    /** Creates the provider. */
    public Echo() {}

    @Override
    public String name() {
      return "echo";
    }

    @Override
    public Set<String> schemes() {
      return Set.of("echo");
    }

    @Override
    public SessionStorage create(StorageUri uri) {
      last = uri;
      uri.optionReader().finish();
      return new StubStorage(uri.redacted());
    }
  }

  /** Serves the longer scheme {@code echo:deep:}, which must win over {@code echo:}. */
  public static final class DeepEcho implements SessionStorageProvider {
    /** Creates the provider. */
    public DeepEcho() {}

    @Override
    public String name() {
      return "deep";
    }

    @Override
    public Set<String> schemes() {
      return Set.of("echo:deep");
    }

    @Override
    public SessionStorage create(StorageUri uri) {
      return new StubStorage("deep " + uri.redacted());
    }
  }

  /** One of two providers claiming {@code dup:}. */
  public static final class DupA implements SessionStorageProvider {
    /** Creates the provider. */
    public DupA() {}

    @Override
    public String name() {
      return "dup-a";
    }

    @Override
    public Set<String> schemes() {
      return Set.of("dup");
    }

    @Override
    public SessionStorage create(StorageUri uri) {
      return new StubStorage("a");
    }
  }

  /** The other provider claiming {@code dup:}. */
  public static final class DupB implements SessionStorageProvider {
    /** Creates the provider. */
    public DupB() {}

    @Override
    public String name() {
      return "dup-b";
    }

    @Override
    public Set<String> schemes() {
      return Set.of("dup");
    }

    @Override
    public SessionStorage create(StorageUri uri) {
      return new StubStorage("b");
    }
  }

  /** A provider whose construction fails, as one with a missing dependency would. */
  public static final class Broken implements SessionStorageProvider {
    /** Always fails. */
    public Broken() {
      throw new IllegalStateException("broken on purpose");
    }

    @Override
    public String name() {
      return "broken";
    }

    @Override
    public Set<String> schemes() {
      return Set.of("broken");
    }

    @Override
    public SessionStorage create(StorageUri uri) {
      throw new AssertionError("never constructed");
    }
  }
}
