package io.valkeyrie.store.redis;

import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One namespace = one Redis Cluster hash slot: every key and channel the store uses for a
 * namespace hashes to the same slot, whatever the namespace and the key contain.
 */
class RedisLayoutTest {

	@ParameterizedTest
	@ValueSource(strings = { "", "app", "a/b/c", "with{braces}", "}{", "50%", "ünïcode ns" })
	void everyKeyAndChannelOfANamespaceIsInOneSlot(String namespace) {
		RedisLayout layout = new RedisLayout("valkeyrie", namespace, 100, 10, false);
		List<byte[]> keys = new ArrayList<>(List.of(layout.scriptKeys()));
		keys.addAll(List.of(layout.changes(), layout.unlocks(), layout.unlocks("0a1b-store")));
		for (String key : new String[] { "k", "a/{b}/c", "}", "{x}" }) {
			keys.addAll(List.of(layout.data(key), layout.lockRecord(key), layout.fence(key), layout.lockWaiters(key)));
		}
		int slot = SlotHash.getSlot(layout.index());
		assertThat(keys).allSatisfy((key) -> assertThat(SlotHash.getSlot(key)).isEqualTo(slot));
		assertThat(SlotHash.getSlot(layout.dataPrefix())).isEqualTo(slot);
	}

	@ParameterizedTest
	@ValueSource(strings = { "tenant-a", "tenant-b", "tenant-c" })
	void theSlotIsTheHashOfTheNamespaceAlone(String namespace) {
		RedisLayout layout = new RedisLayout("other-prefix", namespace, 100, 10, false);
		assertThat(SlotHash.getSlot(layout.counter())).isEqualTo(SlotHash.getSlot("{" + namespace + "}"));
	}

}
