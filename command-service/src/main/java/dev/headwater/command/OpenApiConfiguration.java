package dev.headwater.command;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document's frame. The server is relative, so the document is the same on every
 * port and the committed copy can be compared byte for byte.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI commandServiceApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Headwater command service")
                        .version("v1")
                        .description("Commands checked against their invariants and appended to the event log."
                                + " Errors are RFC 9457 problem documents. Every success carries the aggregate,"
                                + " its new version, the global positions and a consistency token (also in the"
                                + " Headwater-Consistency header). POST, PUT and DELETE take an Idempotency-Key."))
                .servers(List.of(new Server().url("/")))
                .components(new Components()
                        .addSecuritySchemes(
                                "bearer",
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .bearerFormat("hw_ token")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }
}
