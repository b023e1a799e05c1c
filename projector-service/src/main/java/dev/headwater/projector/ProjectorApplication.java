package dev.headwater.projector;

import dev.headwater.migrations.HeadwaterSchema;
import dev.headwater.projector.runtime.AppliedNotifications;
import dev.headwater.projector.runtime.ProjectionRuntime;
import dev.headwater.projector.runtime.ProjectorProperties;
import dev.headwater.projector.runtime.RuntimeConfiguration;
import dev.headwater.projector.web.ReadYourWrites;
import java.time.Clock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationExcludeFilter;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.context.annotation.FilterType;
import org.springframework.context.annotation.Import;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The projector service: the control-plane views, their query API and the runtime's admin API.
 * The runtime package is not scanned but imported ({@link RuntimeConfiguration}), exactly as a
 * downstream service that reuses it would import it.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@ComponentScan(
        excludeFilters = {
            @Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
            @Filter(type = FilterType.CUSTOM, classes = AutoConfigurationExcludeFilter.class),
            @Filter(type = FilterType.REGEX, pattern = "dev\\.headwater\\.projector\\.runtime\\..*")
        })
@Import(RuntimeConfiguration.class)
public class ProjectorApplication {

    private static final Logger log = LoggerFactory.getLogger(ProjectorApplication.class);

    public static void main(String[] args) {
        SpringApplication.run(ProjectorApplication.class, args);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Runs before anything touches the database: refuses a schema this build does not know, or
     * migrates first when {@code headwater.projector.migrate-on-start} is set (with the datasource's
     * credentials, which must then be the schema owner's).
     */
    @Bean
    SchemaCheck schemaCheck(DataSource dataSource, ProjectorProperties properties) {
        if (properties.migrateOnStart()) {
            var result = HeadwaterSchema.migrate(dataSource);
            log.info("Applied {} migration(s) at start", result.migrationsExecuted);
        }
        HeadwaterSchema.requireCurrent(dataSource);
        return new SchemaCheck();
    }

    /** Marker: beans are created before any lifecycle starts, so the runtime starts after this check. */
    static final class SchemaCheck {}

    @Bean
    WebMvcConfigurer readYourWrites(
            ProjectionRuntime runtime, AppliedNotifications notifications, ProjectorProperties properties) {
        ReadYourWrites interceptor = new ReadYourWrites(runtime, notifications, properties);
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                registry.addInterceptor(interceptor).addPathPatterns("/v1/**");
            }
        };
    }
}
