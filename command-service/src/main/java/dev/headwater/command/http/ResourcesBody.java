package dev.headwater.command.http;

import org.jspecify.annotations.Nullable;

/** Resource quantities as requests carry them; {@link Input#resources} checks them. */
public record ResourcesBody(
        @Nullable Long cpuMillis,
        @Nullable Long memoryMib,
        @Nullable Long gpus) {}
