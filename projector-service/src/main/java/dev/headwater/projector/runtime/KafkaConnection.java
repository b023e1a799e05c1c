package dev.headwater.projector.runtime;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Where Kafka is: {@code headwater.kafka.bootstrap-servers}, shared by every Headwater service. */
@Validated
@ConfigurationProperties("headwater.kafka")
public record KafkaConnection(@NotBlank String bootstrapServers) {}
