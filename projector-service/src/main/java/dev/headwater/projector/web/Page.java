package dev.headwater.projector.web;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** One page of a keyset-paginated listing; {@code next} is the cursor of the following page, if any. */
public record Page<T>(List<T> items, @Nullable String next) {}
