package dev.headwater.e2e.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Sizes of the suite, from system properties (the e2e-tests pom passes them to the test JVM). The
 * CI variant keeps the whole suite within about ten minutes on a 2-core machine; the soak variant
 * ({@code -Dheadwater.e2e.soak=true}) runs more commands and more kills. Every default is here;
 * {@code -Dheadwater.e2e.happy-path-commands}, {@code -Dheadwater.e2e.fault-commands} and
 * {@code -Dheadwater.e2e.kills} override the sizes of either variant (for a quick local run).
 *
 * @param clients concurrent HTTP clients of the load driver
 * @param happyPathCommands commands of scenario 1 (the issue asks for at least 20,000)
 * @param faultCommands commands during each crash loop (scenarios 2 and 3), at least (the kills set
 *     the pace: the load runs until both are done)
 * @param aroundOutageCommands commands acknowledged before an outage (scenarios 4 and 5) and again
 *     after it healed, at least
 * @param relayKills SIGKILLs of the CDC relay in scenario 2
 * @param projectorKills SIGKILLs of a projector instance in scenario 3
 * @param kafkaOutage how long the broker stays down in scenario 4
 * @param postgresDowntime how long Postgres stays down in scenario 5
 * @param convergeTimeout longest wait for the views to catch up with the log after a scenario
 * @param classDataSharing run the services extracted with a trained class data sharing archive
 *     ({@code -Dheadwater.e2e.cds=false}: the fat jars as they are)
 */
public record SuiteSettings(
        boolean soak,
        int clients,
        int happyPathCommands,
        int faultCommands,
        int aroundOutageCommands,
        int relayKills,
        int projectorKills,
        Duration kafkaOutage,
        Duration postgresDowntime,
        Duration convergeTimeout,
        boolean classDataSharing,
        Path commandJar,
        Path cdcJar,
        Path projectorJar,
        Path output) {

    public static SuiteSettings fromSystemProperties() {
        boolean soak = Boolean.parseBoolean(System.getProperty("headwater.e2e.soak", "false"));
        Path output = Path.of(System.getProperty("headwater.e2e.output", "target"));
        return new SuiteSettings(
                soak,
                16,
                Integer.getInteger("headwater.e2e.happy-path-commands", soak ? 100_000 : 20_000),
                Integer.getInteger("headwater.e2e.fault-commands", soak ? 20_000 : 1_500),
                soak ? 2_000 : 300,
                Integer.getInteger("headwater.e2e.kills", soak ? 30 : 10),
                Integer.getInteger("headwater.e2e.kills", soak ? 30 : 10),
                Duration.ofSeconds(30),
                Duration.ofSeconds(soak ? 30 : 10),
                Duration.ofMinutes(soak ? 10 : 3),
                Boolean.parseBoolean(System.getProperty("headwater.e2e.cds", "true")),
                jar("headwater.e2e.command-jar", "command-service"),
                jar("headwater.e2e.cdc-jar", "cdc"),
                jar("headwater.e2e.projector-jar", "projector-service"),
                output);
    }

    private static Path jar(String property, String module) {
        String configured = System.getProperty(property);
        Path jar = configured != null
                ? Path.of(configured)
                : Path.of("..", module, "target", module + "-0.1.0-SNAPSHOT.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("No executable jar of " + module + " at " + jar.toAbsolutePath()
                    + ". Run the suite through the reactor (./mvnw -pl e2e-tests -am verify), which packages"
                    + " the services first.");
        }
        return jar.toAbsolutePath().normalize();
    }
}
