package dev.headwater.cdc.relay;

import dev.headwater.cdc.config.CdcProperties;
import dev.headwater.cdc.config.KafkaSettings;
import dev.headwater.cdc.slot.SlotMonitor;
import dev.headwater.migrations.HeadwaterSchema;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the relay into the Spring application and ties it to the application's lifecycle. */
@Configuration(proxyBeanMethods = false)
class RelayConfiguration {

    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(40);

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    RelayMetrics relayMetrics(MeterRegistry registry, RelayStateHolder holder) {
        return new RelayMetrics(registry, holder::state);
    }

    @Bean
    RelayStateHolder relayStateHolder() {
        return new RelayStateHolder();
    }

    @Bean(destroyMethod = "close")
    SlotMonitor slotMonitor(DataSource dataSource, CdcProperties settings, Clock clock, RelayMetrics metrics) {
        return new SlotMonitor(dataSource, settings.slotName(), clock, metrics::retainedWalBytes);
    }

    @Bean
    RelaySupervisor relaySupervisor(
            CdcProperties settings,
            KafkaSettings kafka,
            DataSourceProperties dataSource,
            RelayMetrics metrics,
            RelayStateHolder holder,
            Clock clock) {
        DebeziumProperties.DatabaseLogin login = new DebeziumProperties.DatabaseLogin(
                dataSource.determineUrl(), dataSource.determineUsername(), dataSource.determinePassword());
        return RelaySupervisor.create(settings, kafka.bootstrapServers(), login, metrics, holder, clock);
    }

    @Bean
    RelayHealthIndicator relayHealthIndicator(RelaySupervisor supervisor, SlotMonitor slot) {
        return new RelayHealthIndicator(supervisor, slot);
    }

    @Bean
    SmartLifecycle relayLifecycle(
            RelaySupervisor supervisor, SlotMonitor slot, DataSource dataSource, CdcProperties settings) {
        return new SmartLifecycle() {
            private static final Logger log = LoggerFactory.getLogger(RelayConfiguration.class);
            private volatile boolean running;

            @Override
            public void start() {
                if (settings.migrateOnStart()) {
                    log.info("Migrating the schema at start (headwater.cdc.migrate-on-start=true)");
                    HeadwaterSchema.migrate(dataSource);
                } else {
                    HeadwaterSchema.requireCurrent(dataSource);
                }
                slot.start(settings.slotCheckInterval());
                supervisor.start();
                running = true;
            }

            @Override
            public void stop() {
                supervisor.stop(SHUTDOWN_TIMEOUT);
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }
}
