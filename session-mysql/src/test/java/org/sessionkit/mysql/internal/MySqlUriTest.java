package org.sessionkit.mysql.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.sessionkit.StorageConfigurationException;

class MySqlUriTest {

  @Test
  void aServerUriGivesTheCredentialsTheDatabaseAndTheOptions() {
    MySqlUri u = MySqlUri.parse("mysql://app:s%3Acr%40t@db.example:3307/agents?tablePrefix=t_&poolSize=3"
        + "&connectTimeout=2s&statementTimeout=0&createSchema=false&retention=P30D&sslMode=verify-full");
    assertThat(u.hosts()).isEqualTo("db.example:3307");
    assertThat(u.database()).isEqualTo("agents");
    assertThat(u.user()).contains("app");
    assertThat(u.password()).contains("s:cr@t");
    assertThat(u.tablePrefix()).contains("t_");
    assertThat(u.poolSize()).hasValue(3);
    assertThat(u.connectTimeout()).contains(Duration.ofSeconds(2));
    assertThat(u.statementTimeout()).contains(Duration.ZERO);
    assertThat(u.createSchema()).contains(false);
    assertThat(u.retention()).contains(Duration.ofDays(30));
    assertThat(u.sslMode()).contains(MySqlUri.SslMode.VERIFY_FULL);
    assertThat(u.prefersMariaDb()).isFalse();
    assertThat(u.toString()).doesNotContain("s%3Acr").contains("***");
  }

  @Test
  void everySchemeIsAcceptedAndCredentialsMayBeOptions() {
    for (String scheme : List.of("mysql", "mariadb", "jdbc:mysql", "jdbc:mariadb", "MySQL")) {
      MySqlUri u = MySqlUri.parse(scheme + "://h/d?user=u&password=p");
      assertThat(u.user()).contains("u");
      assertThat(u.password()).contains("p");
      assertThat(u.hosts()).isEqualTo("h");
      assertThat(u.prefersMariaDb()).isEqualTo(scheme.contains("mariadb"));
      assertThat(u.toString()).doesNotContain("password=p");
    }
    assertThat(MySqlUri.parse("mariadb://[::1]:3306/d").hosts()).isEqualTo("[::1]:3306");
  }

  @Test
  void absentOptionsStayAbsentSoThatDefaultsApply() {
    MySqlUri u = MySqlUri.parse("mariadb://h/d");
    assertThat(u.tablePrefix()).isEmpty();
    assertThat(u.poolSize()).isEmpty();
    assertThat(u.retention()).isEmpty();
    assertThat(u.user()).isEmpty();
    assertThat(u.driver()).isEqualTo(Drivers.Choice.AUTO);
  }

  @Test
  void anUnknownOptionIsAConfigurationErrorNamingTheKnownOnesWithoutThePassword() {
    Throwable t = catchThrowable(() -> MySqlUri.parse("mysql://u:hunter2@h/d?useSSL=true"));
    assertThat(t).isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("useSSL").hasMessageContaining("tablePrefix").hasMessageContaining("sslMode");
    assertThat(t.getMessage()).doesNotContain("hunter2");
  }

  @Test
  void badValuesAndMissingPartsAreConfigurationErrors() {
    for (String bad : List.of("mysql://h/d?poolSize=0", "mysql://h/d?connectTimeout=soon", "mysql://h/d?driver=odbc",
        "mysql://h/d?sslMode=maybe", "mysql://h/d?createSchema=yes", "mysql://h", "mysql://h/", "mysql:h/d",
        "mysql:///d", "mysql://h/d;x", "mysql://h/d/e", "postgresql://h/d", "mysql://h/d?retention=-P1D")) {
      assertThatThrownBy(() -> MySqlUri.parse(bad)).as(bad).isInstanceOf(StorageConfigurationException.class);
    }
  }

  @Test
  void eachDriverGetsItsOwnUrlAndSpellingOfTheOptions() {
    MySqlUri u = MySqlUri.parse("mysql://u:p@h:3306/d?sslMode=require&allowPublicKeyRetrieval=true");
    assertThat(Drivers.jdbcUrl(Drivers.Kind.MARIADB, u)).isEqualTo("jdbc:mariadb://h:3306/d");
    assertThat(Drivers.jdbcUrl(Drivers.Kind.MYSQL, u)).isEqualTo("jdbc:mysql://h:3306/d");
    Properties maria = Drivers.properties(Drivers.Kind.MARIADB, u, 1000, 2000);
    assertThat(maria).containsEntry("sslMode", "trust").containsEntry("user", "u").containsEntry("password", "p")
        .containsEntry("connectTimeout", "1000").containsEntry("socketTimeout", "2000")
        .containsEntry("allowPublicKeyRetrieval", "true");
    Properties mysql = Drivers.properties(Drivers.Kind.MYSQL, u, 1000, 2000);
    assertThat(mysql).containsEntry("sslMode", "REQUIRED").containsEntry("useLocalSessionState", "true");
  }

  @Test
  void eachSchemePrefersItsOwnDriverTakesTheOtherWhenAloneAndNamesBothWhenNoneIsThere() {
    MySqlUri mysql = MySqlUri.parse("mysql://h/d");
    MySqlUri mariadb = MySqlUri.parse("jdbc:mariadb://h/d");
    // The tests have both drivers.
    assertThat(Drivers.resolve(mysql)).isEqualTo(Drivers.Kind.MYSQL);
    assertThat(Drivers.resolve(mariadb)).isEqualTo(Drivers.Kind.MARIADB);
    assertThat(Drivers.resolve(mysql, k -> k == Drivers.Kind.MARIADB)).isEqualTo(Drivers.Kind.MARIADB);
    assertThat(Drivers.resolve(mariadb, k -> k == Drivers.Kind.MYSQL)).isEqualTo(Drivers.Kind.MYSQL);
    assertThat(Drivers.resolve(MySqlUri.parse("mysql://h/d?driver=mariadb"))).isEqualTo(Drivers.Kind.MARIADB);
    assertThatThrownBy(() -> Drivers.resolve(MySqlUri.parse("mariadb://u:hunter2@h/d"), k -> false))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("org.mariadb.jdbc:mariadb-java-client").hasMessageContaining("com.mysql:mysql-connector-j")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> Drivers.resolve(MySqlUri.parse("mariadb://h/d?driver=mysql"), k -> k == Drivers.Kind.MARIADB))
        .isInstanceOf(StorageConfigurationException.class).hasMessageContaining("com.mysql:mysql-connector-j");
  }

  @Test
  void theInitStatementSetsTheLockWaitEverywhereAndTheStatementTimeOnMariaDbOnly() {
    assertThat(OwnedPool.initSql(Duration.ofMillis(400)))
        .isEqualTo("SET SESSION innodb_lock_wait_timeout = 1 /*M!100108 , max_statement_time = 0.400 */");
    assertThat(OwnedPool.initSql(Duration.ofSeconds(30))).contains("innodb_lock_wait_timeout = 30")
        .contains("max_statement_time = 30.000");
  }
}
