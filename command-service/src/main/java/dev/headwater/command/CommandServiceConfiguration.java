package dev.headwater.command;

import dev.headwater.command.eventstore.EventStore;
import dev.headwater.command.execution.CommandExecutor;
import dev.headwater.command.idempotency.IdempotencyProperties;
import dev.headwater.command.idempotency.IdempotencyStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.filter.ServerHttpObservationFilter;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

@Configuration(proxyBeanMethods = false)
class CommandServiceConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Checked before anything else touches the database; see {@link SchemaGate}. */
    @Bean
    SchemaGate schemaGate(DataSource dataSource, CommandProperties properties) {
        return new SchemaGate(dataSource, properties);
    }

    @Bean
    CommandExecutor commandExecutor(
            SchemaGate schemaGate,
            PlatformTransactionManager transactionManager,
            IdempotencyStore idempotency,
            EventStore eventStore,
            tools.jackson.databind.json.JsonMapper json,
            Clock clock,
            IdempotencyProperties idempotencyProperties,
            CommandProperties properties,
            MeterRegistry meters) {
        return new CommandExecutor(
                new TransactionTemplate(transactionManager),
                idempotency,
                eventStore,
                json,
                clock,
                idempotencyProperties.retention(),
                properties.maxAttempts(),
                meters);
    }

    /**
     * With the request observations off (application.properties) Spring's observation filter
     * still wraps every request to find that out, about 2% of the request threads' CPU samples
     * under the append load. This registration stands in for Boot's and is disabled; setting
     * {@code management.observations.enable.http.server.requests=true} brings Boot's filter back.
     */
    @Bean
    @ConditionalOnProperty(name = "management.observations.enable.http.server.requests", havingValue = "false")
    FilterRegistrationBean<ServerHttpObservationFilter> noServerObservationFilter() {
        FilterRegistrationBean<ServerHttpObservationFilter> registration =
                new FilterRegistrationBean<>(new ServerHttpObservationFilter(ObservationRegistry.NOOP));
        registration.setEnabled(false);
        return registration;
    }

    /**
     * Strict JSON: a request whose fields have the wrong type, an unknown name, a duplicate key or
     * trailing content is refused, never silently coerced (a quantity of 1.5 or "8000" is an
     * error, not 1 or 8000). Floating-point payload numbers keep their exact decimal form.
     */
    @Bean
    JsonMapperBuilderCustomizer strictJson() {
        return builder -> builder.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .withCoercionConfig(
                        LogicalType.Textual,
                        config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Integer,
                        config -> config.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }
}
