package org.sessionkit.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sessionkit.StorageConfigurationException;

/** Parsing of store URIs; needs no server. */
class PgUriTest {

  @Test
  void aLibpqUriGivesTheServerTheCredentialsAndTheOptions() {
    PgUri u = PgUri.parse("postgresql://alice:p%40ss%3Aw0rd@db.example:6543/app%20db"
        + "?schema=agents&tablePrefix=sk_&poolSize=3&connectTimeout=2s&statementTimeout=1500ms"
        + "&createSchema=false&sslmode=require&application_name=agent");
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/app%20db");
    assertThat(u.user()).contains("alice");
    assertThat(u.password()).contains("p@ss:w0rd");
    assertThat(u.schema()).contains("agents");
    assertThat(u.tablePrefix()).contains("sk_");
    assertThat(u.poolSize()).hasValue(3);
    assertThat(u.connectTimeout()).contains(Duration.ofSeconds(2));
    assertThat(u.statementTimeout()).contains(Duration.ofMillis(1500));
    assertThat(u.createSchema()).contains(false);
    assertThat(u.driverProperties()).isEqualTo(Map.of("sslmode", "require", "ApplicationName", "agent"));
    assertThat(u.toString()).doesNotContain("p%40ss").contains("***");
  }

  @Test
  void retentionIsAnIsoDurationAndThePoolerIsTransactionOrNone() {
    PgUri u = PgUri.parse("postgresql://h/db?retention=P30D&pooler=transaction");
    assertThat(u.retention()).contains(Duration.ofDays(30));
    assertThat(u.transactionPooling()).contains(true);
    assertThat(PgUri.parse("postgresql://h/db?pooler=none").transactionPooling()).contains(false);
    assertThat(PgUri.parse("postgresql://h/db").retention()).isEmpty();
    assertThatThrownBy(() -> PgUri.parse("postgresql://h/db?pooler=session"))
        .isInstanceOf(StorageConfigurationException.class).hasMessageContaining("'pooler'").hasMessageContaining("transaction");
    assertThatThrownBy(() -> PgUri.parse("postgresql://h/db?retention=30 days"))
        .isInstanceOf(StorageConfigurationException.class).hasMessageContaining("retention");
  }

  @Test
  void revisionsRoundTripOnlyInTheirCanonicalForm() {
    Revisions r = new Revisions(42, -1L);
    assertThat(r.toRevision().value()).isEqualTo("42-ffffffffffffffff");
    assertThat(Revisions.parse(r.toRevision())).contains(r);
    assertThat(Revisions.parse(new Revisions(7, 255).toRevision())).contains(new Revisions(7, 255));
    for (String bad : new String[] {"42", "42-FFFFFFFFFFFFFFFF", "42-fff", "-1-0000000000000000", "x-0000000000000000",
        "+42-0000000000000000", "042-0000000000000000", "42-+000000000000000"}) {
      assertThat(Revisions.parse(org.sessionkit.Revision.of(bad))).as(bad).isEmpty();
    }
  }

  @Test
  void thePostgresSchemeAndTheJdbcFormAreAccepted() {
    PgUri short_ = PgUri.parse("postgres://bob@localhost/db");
    assertThat(short_.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/db");
    assertThat(short_.user()).contains("bob");
    assertThat(short_.password()).isEmpty();
    PgUri jdbc = PgUri.parse("jdbc:postgresql://h1:5432,h2:5433/db?user=carol&password=secret&targetServerType=primary");
    assertThat(jdbc.jdbcUrl()).isEqualTo("jdbc:postgresql://h1:5432,h2:5433/db");
    assertThat(jdbc.user()).contains("carol");
    assertThat(jdbc.password()).contains("secret");
    assertThat(jdbc.driverProperties()).containsEntry("targetServerType", "primary");
    assertThat(jdbc.redacted()).doesNotContain("secret");
    PgUri v6 = PgUri.parse("postgresql://[::1]:5432/db");
    assertThat(v6.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/db");
    assertThat(PgUri.parse("postgresql:///db").jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/db");
    assertThat(PgUri.parse("POSTGRESQL://h/db").jdbcUrl()).isEqualTo("jdbc:postgresql://h/db");
  }

  @Test
  void absentOptionsStayAbsentSoThatDefaultsApply() {
    PgUri u = PgUri.parse("postgresql://h/db");
    assertThat(u.schema()).isEmpty();
    assertThat(u.poolSize()).isEmpty();
    assertThat(u.connectTimeout()).isEqualTo(Optional.empty());
    assertThat(u.createSchema()).isEmpty();
    assertThat(u.driverProperties()).isEmpty();
  }

  @Test
  void anUnknownOptionIsAConfigurationErrorNamingTheKnownOnesWithoutThePassword() {
    Throwable t = catchThrowable(() -> PgUri.parse("postgresql://u:hunter2@h/db?sslmod=require"));
    assertThat(t).isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("sslmod")
        .hasMessageContaining("sslmode")
        .hasMessageContaining("statementTimeout");
    assertThat(t.getMessage()).doesNotContain("hunter2");
  }

  @Test
  void badValuesAreConfigurationErrors() {
    for (String bad : new String[] {"poolSize=0", "poolSize=x", "connectTimeout=soon",
        "statementTimeout=-1s", "createSchema=maybe", "schema=a&schema=b"}) {
      assertThatThrownBy(() -> PgUri.parse("postgresql://h/db?" + bad))
          .as(bad).isInstanceOf(StorageConfigurationException.class);
    }
    assertThatThrownBy(() -> PgUri.parse("postgresql:db")).isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("must name a server");
    assertThatThrownBy(() -> PgUri.parse("redis://h")).isInstanceOf(StorageConfigurationException.class);
    assertThatThrownBy(() -> PgUri.parse("postgresql://u:%zz@h/db"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageNotContaining("%zz");
  }
}
