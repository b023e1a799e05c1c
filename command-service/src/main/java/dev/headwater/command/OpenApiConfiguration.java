package dev.headwater.command;

import dev.headwater.contract.ConsistencyToken;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document's frame. The server is relative, so the document is the same on every
 * port and the committed copy can be compared byte for byte.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    /** What every command answers; the response body of the command endpoints. */
    @Schema(
            description = "A command's result; commands add their own fields (tenantId, nodeId, allocationId,"
                    + " tokenId, secret, status) after these")
    record CommandResult(
            @Schema(description = "the aggregate type the events were appended to")
            String aggregateType,

            @Schema(description = "the aggregate id") String aggregateId,

            @Schema(description = "the aggregate's version after the append")
            long version,

            @Schema(description = "global positions of the appended events, in stream order")
            List<Long> globalPositions,

            @Schema(description = "pass to the query side in Headwater-Consistency to read your write")
            String consistencyToken) {}

    /**
     * Command endpoints return the JSON text the executor produced (it is also what an idempotent
     * replay returns byte for byte); this documents its shape instead of "string".
     */
    @Bean
    OperationCustomizer commandResults() {
        io.swagger.v3.oas.models.media.Schema<?> result =
                ModelConverters.getInstance().readAllAsResolvedSchema(CommandResult.class).schema;
        return (operation, handler) -> {
            if (!handler.getMethod()
                    .getGenericReturnType()
                    .getTypeName()
                    .equals("org.springframework.http.ResponseEntity<java.lang.String>")) {
                return operation;
            }
            ApiResponses responses = new ApiResponses();
            operation
                    .getResponses()
                    .forEach((code, response) -> responses.addApiResponse(
                            code,
                            new ApiResponse()
                                    .description("Appended (201 when the command created the aggregate). Header "
                                            + ConsistencyToken.HEADER
                                            + " repeats the consistency token; Idempotent-Replayed:"
                                            + " true marks a stored answer to an earlier request with the same key.")
                                    .addHeaderObject(ConsistencyToken.HEADER, new Header().schema(new StringSchema()))
                                    .content(new Content()
                                            .addMediaType("application/json", new MediaType().schema(result)))));
            return operation.responses(responses);
        };
    }

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
