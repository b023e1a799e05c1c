package dev.headwater.cdc.config;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** The Kafka cluster every Headwater service talks to, {@code headwater.kafka.*}. */
@Validated
@ConfigurationProperties("headwater.kafka")
public record KafkaSettings(@NotBlank String bootstrapServers) {}
