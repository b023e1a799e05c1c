package dev.headwater.command.eventstore;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
public class EventStoreConfiguration {

    @Bean
    EventStore eventStore(JdbcTemplate jdbcTemplate, JsonMapper jsonMapper, MeterRegistry meters) {
        return new JdbcEventStore(jdbcTemplate, jsonMapper, meters);
    }
}
