package io.valkeyrie.sample;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The whole state as the live feed sends it, in a {@code snapshot} event: the page replaces
 * its list with it.
 *
 * @param resync {@code false} for the first state of a new subscription; {@code true} when
 * changes may have been missed (the store lost its connection, or a reconnect's
 * {@code Last-Event-ID} is older than the history the store keeps)
 * @param reason why the resync happened, or {@code null}
 * @param pairs every key, sorted
 */
public record KeySnapshot(boolean resync, @Nullable String reason, List<KeyValue> pairs) {
}
