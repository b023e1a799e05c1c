package dev.headwater.command.token;

import dev.headwater.web.auth.TokenDirectory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

@Configuration(proxyBeanMethods = false)
public class TokenConfiguration {

    @Bean
    TokenDirectory tokenDirectory(JdbcTemplate jdbcTemplate) {
        return new JdbcTokenDirectory(jdbcTemplate);
    }
}
