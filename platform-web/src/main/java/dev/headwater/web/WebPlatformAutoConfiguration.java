package dev.headwater.web;

import dev.headwater.web.auth.AuthProperties;
import dev.headwater.web.auth.BearerTokenFilter;
import dev.headwater.web.auth.CurrentPrincipal;
import dev.headwater.web.auth.TokenDirectories;
import dev.headwater.web.auth.TokenDirectory;
import dev.headwater.web.problem.ProblemHandler;
import dev.headwater.web.problem.ProblemResponses;
import dev.headwater.web.problem.RequestBodyLimitFilter;
import java.time.Clock;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the shared web behaviour into a servlet application: the body limit, then bearer-token
 * authentication (against the application's {@link TokenDirectory} bean, which it must define),
 * the problem handler and the {@code ApiPrincipal} controller parameter.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties({WebProperties.class, AuthProperties.class})
public class WebPlatformAutoConfiguration {

    @Bean
    ProblemHandler headwaterProblemHandler() {
        return new ProblemHandler();
    }

    @Bean
    ProblemResponses headwaterProblemResponses(ObjectProvider<JsonMapper> json) {
        return new ProblemResponses(
                json.getIfAvailable(() -> JsonMapper.builder().build()));
    }

    @Bean
    FilterRegistrationBean<RequestBodyLimitFilter> headwaterBodyLimitFilter(
            WebProperties properties, ProblemResponses problems) {
        var registration = new FilterRegistrationBean<>(
                new RequestBodyLimitFilter(properties.maxBodySize().toBytes(), problems));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
        return registration;
    }

    @Bean
    FilterRegistrationBean<BearerTokenFilter> headwaterBearerTokenFilter(
            AuthProperties properties,
            ObjectProvider<TokenDirectory> directories,
            ObjectProvider<Clock> clock,
            ProblemResponses problems) {
        TokenDirectory directory = directories.getIfAvailable();
        if (directory == null) {
            throw new IllegalStateException(
                    "platform-web authenticates every request: define a TokenDirectory bean that finds tokens by hash");
        }
        var filter = new BearerTokenFilter(
                TokenDirectories.cached(directory, properties.cacheTtl(), clock.getIfAvailable(Clock::systemUTC)),
                properties.bootstrapToken(),
                properties.publicPaths(),
                problems);
        var registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 30);
        return registration;
    }

    @Bean
    WebMvcConfigurer headwaterPrincipalParameter() {
        return new WebMvcConfigurer() {
            @Override
            public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
                resolvers.add(new CurrentPrincipal());
            }
        };
    }
}
