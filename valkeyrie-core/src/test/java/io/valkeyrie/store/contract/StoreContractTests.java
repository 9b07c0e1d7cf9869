package io.valkeyrie.store.contract;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.valkeyrie.store.InvalidKeyException;
import io.valkeyrie.store.InvalidTtlException;
import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyExistsException;
import io.valkeyrie.store.KeyModifiedException;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockLoss;
import io.valkeyrie.store.LockNotHeldException;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.PreviousNotSpecifiedException;
import io.valkeyrie.store.ReadOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreClosedException;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.ValueTooLargeException;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.WatchOptions;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.internal.AbstractStore;
import io.valkeyrie.store.internal.BackendOptions;
import io.valkeyrie.store.internal.AbstractStoreLock;
import io.valkeyrie.store.test.FreezingProxy;
import io.valkeyrie.store.test.SecretForm;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The executable form of CONTRACT.md: every rule, checked against a real backend. A
 * backend's {@code <Backend>ContractTest} extends this and only says how to configure a
 * store; every test gets its own namespace, and {@link #openSecond()} opens an independent
 * client (its own connection) on the same data for cross-client cases.
 * <p>
 * Test names start with the CONTRACT.md section they check.
 */
public abstract class StoreContractTests {

	/** How long a watch or a cross-client change may take to show up. */
	protected static final Duration EVENT_TIMEOUT = Timing.seconds(10);

	private final List<Store> opened = new CopyOnWriteArrayList<>();

	private final List<ExecutorService> executors = new CopyOnWriteArrayList<>();

	private String namespace = "";

	/**
	 * A configuration of the backend under test: backend name, endpoints and any option it
	 * needs. Called for every store a test opens; the suite sets the namespace.
	 */
	protected abstract StoreConfig.Builder storeConfig();

	@BeforeEach
	void assignNamespace(TestInfo info) {
		String method = info.getTestMethod().map(java.lang.reflect.Method::getName).orElse("test");
		this.namespace = "contract/" + method + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	@AfterEach
	void closeStores() {
		for (ExecutorService executor : this.executors) {
			executor.shutdownNow();
		}
		this.executors.clear();
		List<Store> stores = new ArrayList<>(this.opened);
		this.opened.clear();
		for (Store store : stores) {
			store.close();
		}
	}

	/** The namespace of the current test. */
	protected final String namespace() {
		return this.namespace;
	}

	/** Open a store on the test's namespace. */
	protected final Store open() {
		return open(this.namespace);
	}

	/** Open a second, independent client on the test's namespace. */
	protected final Store openSecond() {
		return open(this.namespace);
	}

	/** Open a store on another namespace. */
	protected final Store open(String namespace) {
		return open(storeConfig().namespace(namespace));
	}

	/** Open a store from a configuration (closed after the test). */
	protected final Store open(StoreConfig.Builder config) {
		Store store = Stores.open(config.build());
		this.opened.add(store);
		return store;
	}

	/** The TTL timing tests use: the backend's minimum, at least one second. */
	protected Duration ttl(Store store) {
		Duration min = store.minimumTtl();
		return (min.compareTo(Duration.ofSeconds(1)) < 0) ? Duration.ofSeconds(1) : min;
	}

	/** How long after its TTL a key may still be visible: the contract's second plus slack for a busy machine. */
	protected Duration expiryBound(Duration ttl) {
		return ttl.plus(Timing.millis(1500));
	}

	private ExecutorService threads(int count) {
		ExecutorService executor = Executors.newFixedThreadPool(count);
		this.executors.add(executor);
		return executor;
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	private static List<String> keys(List<KVPair> pairs) {
		return pairs.stream().map(KVPair::key).toList();
	}

	// =====================================================================================
	// Keys
	// =====================================================================================

	@Test
	void keysLeadingAndTrailingSlashesNameTheSameKey() {
		Store store = open();
		store.put("/a/b/", "one");
		assertThat(store.get("a/b").valueAsString()).isEqualTo("one");
		assertThat(store.get("/a/b").key()).isEqualTo("a/b");
		assertThat(store.get("a/b/").key()).isEqualTo("a/b");
		store.put("a/b", "two");
		assertThat(store.get("/a/b/").valueAsString()).isEqualTo("two");
		assertThat(keys(store.list("/a/"))).containsExactly("a/b");
		store.delete("/a/b");
		assertThat(store.exists("a/b")).isFalse();
	}

	@Test
	void keysInvalidKeysAreRejectedNamingKeyAndRule() {
		Store store = open();
		String tooLong = "k".repeat(1025);
		Object[][] cases = { { null, "null" }, { "", "empty" }, { "/", "empty" }, { "//", "empty" },
				{ "a//b", "empty segment" }, { "/a//", "empty segment" }, { ".", "'.'" }, { "a/./b", "'.'" },
				{ "a/..", "'..'" }, { "../a", "'..'" }, { "a\u0000b", "control character" },
				{ "a\nb", "control character" }, { "a\u007fb", "control character" },
				{ "a\u0085b", "control character" }, { "a\ud800b", "surrogate" }, { tooLong, "1024 bytes" } };
		for (Object[] c : cases) {
			String key = (String) c[0];
			String rule = (String) c[1];
			List<Executable> calls = List.of(() -> store.put(key, "v"), () -> store.get(key), () -> store.exists(key),
					() -> store.delete(key), () -> store.atomicPut(key, bytes("v"), null, WriteOptions.NONE),
					() -> store.atomicDelete(key, KVPair.of("k", null, 1)), () -> store.watch(key, (e) -> {
					}), () -> store.newLock(key), () -> store.find(key));
			for (Executable call : calls) {
				assertThatThrownBy(call::execute).as("key %s", key)
					.isInstanceOf(InvalidKeyException.class)
					.hasMessageContaining(rule)
					.satisfies((ex) -> assertThat(((InvalidKeyException) ex).key()).isEqualTo(key));
			}
		}
	}

	@Test
	void keysInvalidDirectoriesAreRejected() {
		Store store = open();
		for (String dir : new String[] { "a//b", "a/../b", "x\ty", null }) {
			assertThatThrownBy(() -> store.list(dir)).isInstanceOf(InvalidKeyException.class);
			assertThatThrownBy(() -> store.deleteTree(dir)).isInstanceOf(InvalidKeyException.class);
			assertThatThrownBy(() -> store.watchTree(dir, (e) -> {
			})).isInstanceOf(InvalidKeyException.class);
		}
	}

	@Test
	void keysAreRejectedBeforeAnyIo() {
		Store store = open();
		store.close();
		// A closed store does no I/O at all, so the key rule must fire first.
		assertThatThrownBy(() -> store.put("a//b", "v")).isInstanceOf(InvalidKeyException.class);
		assertThatThrownBy(() -> store.get("")).isInstanceOf(InvalidKeyException.class);
		assertThatThrownBy(() -> store.put("ok", "v")).isInstanceOf(StoreClosedException.class);
	}

	@Test
	void keysUpTo1024Utf8BytesAreAccepted() {
		Store store = open();
		String ascii = "k".repeat(1024);
		String multiByte = "é".repeat(512);
		store.put(ascii, "a");
		store.put(multiByte, "b");
		assertThat(store.get(ascii).valueAsString()).isEqualTo("a");
		assertThat(store.get(multiByte).valueAsString()).isEqualTo("b");
		assertThatThrownBy(() -> store.put("é".repeat(512) + "x", "c")).isInstanceOf(InvalidKeyException.class)
			.hasMessageContaining("1024 bytes");
	}

	@Test
	void keysWithCharactersThatMeanSomethingToABackendWorkLiterally() {
		Store store = open();
		List<String> keys = List.of("p/a*b", "p/a?b", "p/a[b]", "p/[", "p/a:b", "p/a b", "p/ключ", "p/🔑",
				"p/a%2Fb", "p/a%b", "p/a+b", "p/a#b", "p/a\\b", "p/'q'", "p/\"d\"", "p/a&b=c", "p/~x", "p/a.b",
				"p/..a", "p/-", "p/_", "p/a{b}", "p/a|b", "p/a^b", "p/a$b", "p/*");
		for (String key : keys) {
			store.put(key, "v:" + key);
		}
		store.put("p/aXb", "other");
		for (String key : keys) {
			assertThat(store.get(key).valueAsString()).as(key).isEqualTo("v:" + key);
			assertThat(store.get(key).key()).isEqualTo(key);
		}
		List<String> expected = new ArrayList<>(keys);
		expected.add("p/aXb");
		expected.sort(null);
		assertThat(keys(store.list("p"))).containsExactlyElementsOf(expected);
		// Patterns must not act as patterns.
		assertThatThrownBy(() -> store.list("p/a*")).isInstanceOf(KeyNotFoundException.class);
		assertThat(keys(store.list("p/*"))).isEmpty();
		assertThat(store.exists("p/a?")).isFalse();
		store.delete("p/a*b");
		assertThat(store.exists("p/aXb")).isTrue();
		store.deleteTree("p/*");
		assertThat(store.exists("p/a*b")).isFalse();
		assertThat(store.exists("p/aXb")).isTrue();
		assertThat(store.exists("p/a?b")).isTrue();
	}

	/**
	 * Consul refuses to serve a URL path holding a character that is not printable (a
	 * noncharacter, an unassigned code point, a format or private-use character, a space
	 * other than U+0020), so no backend accepts one: the same message everywhere, before any I/O.
	 */
	@Test
	void keysWithUnprintableCharactersAreRejectedAlikeOnEveryBackend() {
		Store store = open();
		String[][] cases = { { "a\ufffeb", "U+FFFE" }, { "a/\ufdd0", "U+FDD0" }, { "a\u00a0b", "U+00A0" },
				{ "a\u200bb", "U+200B" }, { "a\u2028b", "U+2028" }, { "a\ue000b", "U+E000" },
				{ "a\u3000b", "U+3000" }, { "a\udb40\udc01b", "U+E0001" }, { "a\u0378b", "U+0378" } };
		for (String[] c : cases) {
			String key = c[0];
			List<Executable> calls = List.of(() -> store.put(key, "v"), () -> store.get(key), () -> store.exists(key),
					() -> store.newLock(key), () -> store.list(key), () -> store.watchTree(key, (e) -> {
					}));
			for (Executable call : calls) {
				assertThatThrownBy(call::execute).as("key %s", c[1])
					.isInstanceOf(InvalidKeyException.class)
					.hasMessageContaining(c[1] + " ")
					.hasMessageContaining("not a printable character");
			}
		}
		// Printable non-ASCII characters, combining marks and emoji stay valid everywhere.
		for (String key : List.of("q/e\u0301", "q/\u00e9", "q/\ud83d\udd11", "q/\u4e2d", "q/a b")) {
			store.put(key, "v:" + key);
			assertThat(store.get(key).valueAsString()).as(key).isEqualTo("v:" + key);
		}
	}

	@Test
	void keysAreIndependentOfTheirParentsAndChildren() {
		Store store = open();
		store.put("a", "parent");
		store.put("a/b", "child");
		assertThat(store.get("a").valueAsString()).isEqualTo("parent");
		assertThat(store.get("a/b").valueAsString()).isEqualTo("child");
		store.delete("a");
		assertThat(store.exists("a")).isFalse();
		assertThat(store.get("a/b").valueAsString()).isEqualTo("child");

		store.put("x/y/z", "deep");
		assertThat(store.exists("x")).isFalse();
		assertThat(store.exists("x/y")).isFalse();
		assertThatThrownBy(() -> store.get("x/y")).isInstanceOf(KeyNotFoundException.class);
		assertThatThrownBy(() -> store.delete("x/y")).isInstanceOf(KeyNotFoundException.class);
		assertThat(keys(store.list("x"))).containsExactly("x/y/z");
		assertThat(keys(store.list(""))).containsExactly("a/b", "x/y/z");
	}

	@Test
	void keysNamespacesNeverSeeEachOther() {
		Store one = open(namespace() + "/one");
		Store two = open(namespace() + "/two");
		one.put("shared", "1");
		two.put("shared", "2");
		one.put("only-one", "x");
		assertThat(one.get("shared").valueAsString()).isEqualTo("1");
		assertThat(two.get("shared").valueAsString()).isEqualTo("2");
		assertThat(two.exists("only-one")).isFalse();
		assertThat(keys(two.list(""))).containsExactly("shared");
		assertThat(keys(one.list("/"))).containsExactly("only-one", "shared");
		assertThat(one.namespace()).isEqualTo(namespace() + "/one");

		EventRecorder events = new EventRecorder();
		two.watchTree("", events);
		events.awaitInitialSnapshot(EVENT_TIMEOUT);
		one.put("from-one", "x");
		two.put("from-two", "y");
		events.await(0, EVENT_TIMEOUT, "put from-two", (e) -> e instanceof WatchEvent.Put p && p.key().equals("from-two"));
		assertThat(events.puts()).containsExactly("from-two=y");
		two.deleteTree("");
		assertThat(one.get("shared").valueAsString()).isEqualTo("1");
	}

	@Test
	void keysBookkeepingIsInvisible() {
		Store store = open();
		Store other = openSecond();
		store.put("data", "d");
		EventRecorder events = new EventRecorder();
		other.watchTree("", events);
		events.awaitInitialSnapshot(EVENT_TIMEOUT);

		StoreLock lock = store.newLock("locked", LockOptions.builder().ttl(ttl(store)).build());
		LockLease lease = lock.lock();
		StoreLock waiter = other.newLock("locked", LockOptions.builder().ttl(ttl(store)).build());
		assertThat(waiter.tryLock()).isEmpty();
		store.put("kept", bytes("k"), WriteOptions.keepAlive(ttl(store)));
		store.put("ttl", bytes("t"), WriteOptions.ttl(Duration.ofHours(1)));
		store.put("marker", "m");
		events.await(0, EVENT_TIMEOUT, "marker", (e) -> e instanceof WatchEvent.Put p && p.key().equals("marker"));

		assertThat(keys(other.list(""))).containsExactly("data", "kept", "marker", "ttl");
		assertThat(keys(store.list(""))).containsExactly("data", "kept", "marker", "ttl");
		assertThat(other.exists("locked")).isFalse();
		assertThat(events.puts()).containsExactly("kept=k", "ttl=t", "marker=m");
		lease.close();
		assertThat(keys(other.list(""))).containsExactly("data", "kept", "marker", "ttl");
	}

	// =====================================================================================
	// Values and versions
	// =====================================================================================

	@Test
	void valuesNullIsStoredAsEmptyAndNeverReturnedAsNull() {
		Store store = open();
		store.put("n", (byte[]) null);
		assertThat(store.get("n").value()).isNotNull().isEmpty();
		KVPair created = store.atomicPut("m", null, null, WriteOptions.NONE);
		assertThat(created.value()).isEmpty();
		assertThat(store.get("m").value()).isEmpty();
		store.put("e", new byte[0]);
		assertThat(store.get("e").value()).isEmpty();
		assertThat(store.list("").stream().map(KVPair::value)).allSatisfy((v) -> assertThat(v).isNotNull().isEmpty());
	}

	@Test
	void valuesAreBinarySafeAndCopied() {
		Store store = open();
		byte[] all = new byte[256];
		for (int i = 0; i < all.length; i++) {
			all[i] = (byte) i;
		}
		store.put("bin", all);
		all[0] = 42;
		byte[] read = store.get("bin").value();
		assertThat(read[0]).isEqualTo((byte) 0);
		assertThat(read).hasSize(256);
		for (int i = 0; i < 256; i++) {
			assertThat(read[i]).isEqualTo((byte) i);
		}
		read[1] = 99;
		assertThat(store.get("bin").value()[1]).isEqualTo((byte) 1);
	}

	@Test
	void valuesUpToTheDefaultMaximumAreStoredWhole() {
		Store store = open();
		assertThat(store.maxValueSize()).isEqualTo(StoreConfig.DEFAULT_MAX_VALUE_SIZE);
		byte[] max = new byte[StoreConfig.DEFAULT_MAX_VALUE_SIZE];
		for (int i = 0; i < max.length; i++) {
			max[i] = (byte) (i * 31);
		}
		store.put("big", max);
		assertThat(store.get("big").value()).isEqualTo(max);
		byte[] tooBig = new byte[max.length + 1];
		assertThatThrownBy(() -> store.put("big", tooBig)).isInstanceOf(ValueTooLargeException.class)
			.hasMessageContaining("big")
			.hasMessageContaining(String.valueOf(max.length));
		assertThatThrownBy(() -> store.put("other", tooBig)).isInstanceOf(ValueTooLargeException.class);
		assertThat(store.exists("other")).isFalse();
		assertThat(store.get("big").value()).isEqualTo(max);
	}

	@Test
	void valuesLargerThanAConfiguredMaximumAreRefusedAndNothingIsWritten() {
		Store store = open(storeConfig().namespace(namespace()).maxValueSize(1024));
		assertThat(store.maxValueSize()).isEqualTo(1024);
		store.put("k", new byte[1024]);
		KVPair before = store.get("k");
		assertThatThrownBy(() -> store.put("k", new byte[1025])).isInstanceOf(ValueTooLargeException.class)
			.satisfies((ex) -> assertThat(((ValueTooLargeException) ex).maxSize()).isEqualTo(1024));
		assertThatThrownBy(() -> store.atomicPut("k", new byte[1025], before, WriteOptions.NONE))
			.isInstanceOf(ValueTooLargeException.class);
		assertThatThrownBy(() -> store.atomicPut("new", new byte[2000], null, WriteOptions.NONE))
			.isInstanceOf(ValueTooLargeException.class);
		assertThatThrownBy(() -> store.newLock("l", LockOptions.builder().value(new byte[2000]).build()))
			.isInstanceOf(ValueTooLargeException.class);
		assertThat(store.get("k")).isEqualTo(before);
		assertThat(store.exists("new")).isFalse();
	}

	@Test
	void valuesLastIndexIsPositiveAndChangesOnEveryWriteEvenOfTheSameValue() {
		Store store = open();
		store.put("k", "same");
		long first = store.get("k").lastIndex();
		store.put("k", "same");
		long second = store.get("k").lastIndex();
		KVPair third = store.atomicPut("k", bytes("same"), store.get("k"), WriteOptions.NONE);
		assertThat(first).isPositive();
		assertThat(second).isPositive().isNotEqualTo(first);
		assertThat(third.lastIndex()).isPositive().isNotIn(first, second);
		assertThat(store.get("k").lastIndex()).isEqualTo(third.lastIndex());
	}

	@Test
	void valuesLastIndexNeverRepeatsAcrossClientsAndReopenedStores() {
		Store one = open();
		Store two = openSecond();
		Set<Long> seen = new HashSet<>();
		for (int i = 0; i < 10; i++) {
			Store writer = (i % 2 == 0) ? one : two;
			writer.put("k", "v" + (i % 2));
			assertThat(seen.add(one.get("k").lastIndex())).as("index of write %d is new", i).isTrue();
			writer.delete("k");
			writer.put("k", "v");
			assertThat(seen.add(two.get("k").lastIndex())).as("index after re-create %d is new", i).isTrue();
		}
		one.close();
		two.close();
		Store reopened = open();
		reopened.put("k", "again");
		assertThat(seen).doesNotContain(reopened.get("k").lastIndex());
	}

	// =====================================================================================
	// Operations
	// =====================================================================================

	@Test
	void getReadsConsistentlyByDefaultAndOnRequestStale() {
		Store store = open();
		Store other = openSecond();
		store.put("k", "v");
		assertThat(other.get("k").valueAsString()).isEqualTo("v");
		assertThat(other.get("k", ReadOptions.CONSISTENT).valueAsString()).isEqualTo("v");
		await().atMost(EVENT_TIMEOUT).untilAsserted(() -> assertThat(other.get("k", ReadOptions.STALE).valueAsString()).isEqualTo("v"));
		assertThat(other.find("k")).map(KVPair::valueAsString).contains("v");
		assertThat(other.find("missing")).isEmpty();
		assertThatThrownBy(() -> other.get("missing")).isInstanceOf(KeyNotFoundException.class)
			.satisfies((ex) -> assertThat(((KeyNotFoundException) ex).key()).isEqualTo("missing"));
	}

	@Test
	void existsIsTrueOrFalseAndNeverAnError() {
		Store store = open();
		assertThat(store.exists("k")).isFalse();
		assertThat(store.exists("k", ReadOptions.STALE)).isFalse();
		store.put("k", "v");
		assertThat(store.exists("k")).isTrue();
		assertThat(store.exists("k/child")).isFalse();
	}

	@Test
	void deleteRemovesOneKeyAndFailsForAMissingOne() {
		Store store = open();
		store.put("k", "v");
		store.put("k/child", "c");
		store.delete("k");
		assertThat(store.exists("k")).isFalse();
		assertThat(store.exists("k/child")).isTrue();
		assertThatThrownBy(() -> store.delete("k")).isInstanceOf(KeyNotFoundException.class);
		assertThatThrownBy(() -> store.delete("never")).isInstanceOf(KeyNotFoundException.class);
	}

	@Test
	void listReturnsEverythingBelowSortedAndNothingElse() {
		Store store = open();
		store.put("foo", "dir itself");
		store.put("foo/b", "1");
		store.put("foo/a/deep/er", "2");
		store.put("foo/a", "3");
		store.put("foobar", "prefix only");
		store.put("foobar/x", "prefix only");
		store.put("fo", "shorter");
		List<KVPair> listed = store.list("foo");
		assertThat(keys(listed)).containsExactly("foo/a", "foo/a/deep/er", "foo/b");
		assertThat(listed.get(0).valueAsString()).isEqualTo("3");
		assertThat(listed).allSatisfy((p) -> assertThat(p.lastIndex()).isPositive());
		assertThat(keys(store.list("/foo/"))).containsExactly("foo/a", "foo/a/deep/er", "foo/b");
		assertThat(keys(store.list("foo/a"))).containsExactly("foo/a/deep/er");
		assertThat(keys(store.list("foo/a/deep"))).containsExactly("foo/a/deep/er");
	}

	@Test
	void listOfAKeyWithNothingBelowIsEmptyAndOfNothingIsKeyNotFound() {
		Store store = open();
		store.put("leaf", "v");
		store.put("leafy/x", "v");
		assertThat(store.list("leaf")).isEmpty();
		assertThatThrownBy(() -> store.list("nothing")).isInstanceOf(KeyNotFoundException.class);
		assertThatThrownBy(() -> store.list("lea")).isInstanceOf(KeyNotFoundException.class);
		assertThatThrownBy(() -> store.list("leaf/x")).isInstanceOf(KeyNotFoundException.class);
	}

	@Test
	void listOfTheRootListsTheWholeNamespace() {
		Store store = open();
		assertThatThrownBy(() -> store.list("")).isInstanceOf(KeyNotFoundException.class);
		store.put("b", "1");
		store.put("a/c", "2");
		store.put("a", "3");
		assertThat(keys(store.list(""))).containsExactly("a", "a/c", "b");
		assertThat(keys(store.list("/"))).containsExactly("a", "a/c", "b");
	}

	@Test
	void listSortsKeysByTheirStringOrder() {
		Store store = open();
		List<String> keys = List.of("d/a-b", "d/a/b", "d/a", "d/A", "d/a0", "d/ä", "d/z", "d/a b", "d/aa");
		for (String key : keys) {
			store.put(key, key);
		}
		List<String> expected = new ArrayList<>(keys);
		expected.sort(null);
		assertThat(keys(store.list("d"))).containsExactlyElementsOf(expected);
	}

	@Test
	void deleteTreeRemovesTheDirectoryAndEverythingBelowOnly() {
		Store store = open();
		store.put("t", "itself");
		store.put("t/a", "1");
		store.put("t/a/b/c", "2");
		store.put("tx", "sibling");
		store.put("tx/y", "sibling child");
		store.deleteTree("t");
		assertThat(store.exists("t")).isFalse();
		assertThat(store.exists("t/a")).isFalse();
		assertThat(store.exists("t/a/b/c")).isFalse();
		assertThatThrownBy(() -> store.list("t")).isInstanceOf(KeyNotFoundException.class);
		assertThat(keys(store.list(""))).containsExactly("tx", "tx/y");
		assertThatThrownBy(() -> store.deleteTree("t")).isInstanceOf(KeyNotFoundException.class);
		store.put("only/below", "x");
		store.deleteTree("only");
		assertThat(store.exists("only/below")).isFalse();
		store.deleteTree("tx/y");
		assertThat(store.exists("tx")).isTrue();
		store.deleteTree("");
		assertThatThrownBy(() -> store.list("")).isInstanceOf(KeyNotFoundException.class);
		assertThatThrownBy(() -> store.deleteTree("/")).isInstanceOf(KeyNotFoundException.class);
	}

	@Test
	void atomicPutWithoutPreviousCreatesOnlyIfAbsent() {
		Store store = open();
		KVPair created = store.atomicPut("k", bytes("first"), null, WriteOptions.NONE);
		assertThat(created.key()).isEqualTo("k");
		assertThat(created.valueAsString()).isEqualTo("first");
		assertThat(created.lastIndex()).isPositive();
		assertThat(store.get("k")).isEqualTo(created);
		assertThatThrownBy(() -> store.atomicPut("k", bytes("second"), null, WriteOptions.NONE))
			.isInstanceOf(KeyExistsException.class);
		assertThat(store.get("k").valueAsString()).isEqualTo("first");
		store.put("parent/child", "c");
		KVPair parent = store.atomicPut("parent", bytes("p"), null, WriteOptions.NONE);
		assertThat(store.get("parent")).isEqualTo(parent);
	}

	@Test
	void atomicPutComparesTheLastIndex() {
		Store store = open();
		Store other = openSecond();
		store.put("k", "v1");
		KVPair v1 = store.get("k");
		KVPair v2 = other.atomicPut("k", bytes("v2"), v1, WriteOptions.NONE);
		assertThat(v2.valueAsString()).isEqualTo("v2");
		assertThat(v2.lastIndex()).isNotEqualTo(v1.lastIndex());
		assertThat(store.get("k")).isEqualTo(v2);
		assertThatThrownBy(() -> store.atomicPut("k", bytes("stale"), v1, WriteOptions.NONE))
			.isInstanceOf(KeyModifiedException.class);
		assertThat(store.get("k").valueAsString()).isEqualTo("v2");
		KVPair forged = KVPair.of("k", bytes("v2"), v2.lastIndex() + 1_000_000);
		assertThatThrownBy(() -> store.atomicPut("k", bytes("x"), forged, WriteOptions.NONE))
			.isInstanceOf(KeyModifiedException.class);
		store.delete("k");
		assertThatThrownBy(() -> store.atomicPut("k", bytes("gone"), v2, WriteOptions.NONE))
			.isInstanceOf(KeyNotFoundException.class);
		assertThat(store.exists("k")).isFalse();
	}

	@Test
	void atomicPutHonoursTtl() {
		Store store = open();
		Store other = openSecond();
		Duration ttl = ttl(store);
		KVPair created = store.atomicPut("k", bytes("v"), null, WriteOptions.ttl(ttl));
		assertThat(other.get("k")).isEqualTo(created);
		await().atMost(expiryBound(ttl)).until(() -> !other.exists("k"));
		KVPair again = store.atomicPut("k", bytes("v"), null, WriteOptions.NONE);
		KVPair updated = store.atomicPut("k", bytes("w"), again, WriteOptions.ttl(ttl));
		assertThat(updated.valueAsString()).isEqualTo("w");
		await().atMost(expiryBound(ttl)).until(() -> !other.exists("k"));
	}

	@Test
	void atomicDeleteNeedsThePreviousPairAndComparesIt() {
		Store store = open();
		store.put("k", "v");
		KVPair v1 = store.get("k");
		assertThatThrownBy(() -> store.atomicDelete("k", null)).isInstanceOf(PreviousNotSpecifiedException.class);
		store.put("k", "v2");
		assertThatThrownBy(() -> store.atomicDelete("k", v1)).isInstanceOf(KeyModifiedException.class);
		assertThat(store.exists("k")).isTrue();
		store.atomicDelete("k", store.get("k"));
		assertThat(store.exists("k")).isFalse();
		assertThatThrownBy(() -> store.atomicDelete("k", v1)).isInstanceOf(KeyNotFoundException.class);
		assertThatThrownBy(() -> store.atomicDelete("never", v1)).isInstanceOf(KeyNotFoundException.class);
	}

	@Test
	void casCounterIsLinearizableAcrossClients() throws Exception {
		Store one = open();
		Store two = openSecond();
		one.put("counter", "0");
		int threads = 4;
		int increments = 250;
		ExecutorService pool = threads(threads);
		List<Future<?>> futures = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			Store store = (t % 2 == 0) ? one : two;
			futures.add(pool.submit(() -> {
				for (int i = 0; i < increments; i++) {
					while (true) {
						KVPair current = store.get("counter");
						int next = Integer.parseInt(current.valueAsString()) + 1;
						try {
							store.atomicPut("counter", bytes(Integer.toString(next)), current, WriteOptions.NONE);
							break;
						}
						catch (KeyModifiedException ex) {
							// Another thread won this round: read again.
						}
					}
				}
				return null;
			}));
		}
		for (Future<?> future : futures) {
			future.get(Timing.seconds(240).toSeconds(), TimeUnit.SECONDS);
		}
		assertThat(one.get("counter").valueAsString()).isEqualTo(Integer.toString(threads * increments));
	}

	@Test
	void atomicPutCreateOnlyRaceHasExactlyOneWinner() throws Exception {
		Store one = open();
		Store two = openSecond();
		int contenders = 8;
		ExecutorService pool = threads(contenders);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<String>> results = new ArrayList<>();
		for (int t = 0; t < contenders; t++) {
			Store store = (t % 2 == 0) ? one : two;
			String me = "contender-" + t;
			results.add(pool.submit(() -> {
				start.await();
				try {
					store.atomicPut("race", bytes(me), null, WriteOptions.NONE);
					return me;
				}
				catch (KeyExistsException ex) {
					return null;
				}
			}));
		}
		start.countDown();
		List<String> winners = new ArrayList<>();
		for (Future<String> result : results) {
			String winner = result.get(Timing.seconds(30).toSeconds(), TimeUnit.SECONDS);
			if (winner != null) {
				winners.add(winner);
			}
		}
		assertThat(winners).hasSize(1);
		assertThat(one.get("race").valueAsString()).isEqualTo(winners.get(0));
	}

	@Test
	void atomicPutWithKeepAliveLivesWhileItsStoreIsOpen() {
		Store writer = open();
		Store reader = openSecond();
		Duration ttl = ttl(writer);
		KVPair created = writer.atomicPut("k", bytes("v"), null, WriteOptions.keepAlive(ttl));
		await().during(ttl.multipliedBy(2)).atMost(ttl.multipliedBy(3)).until(() -> reader.exists("k"));
		assertThat(reader.get("k").valueAsString()).isEqualTo("v");
		KVPair updated = writer.atomicPut("k", bytes("w"), reader.get("k"), WriteOptions.keepAlive(ttl));
		assertThat(updated.lastIndex()).isNotEqualTo(created.lastIndex());
		writer.close();
		await().atMost(expiryBound(ttl)).pollInterval(Duration.ofMillis(20)).until(() -> !reader.exists("k"));
	}

	// =====================================================================================
	// TTL
	// =====================================================================================

	@Test
	void ttlMinimumIsReportedAndSmallerTtlsAreRefused() {
		Store store = open();
		Duration min = store.minimumTtl();
		assertThat(min).isGreaterThan(Duration.ofNanos(1));
		Duration below = min.minusNanos(1);
		assertThatThrownBy(() -> store.put("k", bytes("v"), WriteOptions.ttl(below)))
			.isInstanceOf(InvalidTtlException.class)
			.hasMessageContaining(BackendOptions.format(min))
			.satisfies((ex) -> assertThat(ex.getMessage()).as("no raw Duration").doesNotContainPattern("PT[0-9]"));
		assertThatThrownBy(() -> store.atomicPut("k", bytes("v"), null, WriteOptions.keepAlive(below)))
			.isInstanceOf(InvalidTtlException.class);
		assertThatThrownBy(() -> store.newLock("l", LockOptions.builder().ttl(below).build()))
			.isInstanceOf(InvalidTtlException.class);
		assertThat(store.exists("k")).isFalse();
	}

	/** A renewed lock's TTL must be one the store can keep renewing; without renewal only the TTL minimum applies. */
	@Test
	void ttlLocksThatRenewThemselvesNeedTheMinimumLockTtl() {
		Store store = open();
		Duration min = store.minimumLockTtl();
		assertThat(min).isGreaterThanOrEqualTo(store.minimumTtl()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
		assertThatThrownBy(() -> store.newLock("l", LockOptions.builder().ttl(min.minusMillis(1)).build()))
			.isInstanceOf(InvalidTtlException.class)
			.hasMessageContaining("minimum").hasMessageContaining(BackendOptions.format(min));
		assertThat(store.newLock("l", LockOptions.builder().ttl(min).build()).options().ttl()).isEqualTo(min);
		assertThat(store.newLock("l", LockOptions.builder().ttl(store.minimumTtl()).renew(false).build()).options().ttl())
			.isEqualTo(store.minimumTtl());
	}

	@Test
	void ttlKeyDisappearsForEveryClientWhileItsWriterStaysOpen() {
		Store writer = open();
		Store reader = openSecond();
		Duration ttl = ttl(writer);
		EventRecorder events = new EventRecorder();
		reader.watch("t", events);
		events.awaitInitialSnapshot(EVENT_TIMEOUT);
		writer.put("t", bytes("v"), WriteOptions.ttl(ttl));
		long written = System.nanoTime();
		assertThat(reader.get("t").valueAsString()).isEqualTo("v");
		events.await(0, EVENT_TIMEOUT, "put", (e) -> e instanceof WatchEvent.Put);
		await().atMost(expiryBound(ttl)).pollInterval(Duration.ofMillis(20)).until(() -> !reader.exists("t"));
		assertThat(Duration.ofNanos(System.nanoTime() - written)).isGreaterThanOrEqualTo(ttl.minusMillis(100));
		assertThat(writer.exists("t")).isFalse();
		assertThat(writer.isClosed()).isFalse();
		events.await(0, Timing.seconds(2).plus(expiryBound(ttl)), "delete event on expiry",
				(e) -> e instanceof WatchEvent.Delete d && d.key().equals("t"));
	}

	@Test
	void ttlCountsFromTheLastWrite() {
		Store writer = open();
		Store reader = openSecond();
		Duration ttl = ttl(writer);
		writer.put("t", bytes("1"), WriteOptions.ttl(ttl));
		await().pollDelay(ttl.dividedBy(2)).atMost(ttl).until(() -> true);
		writer.put("t", bytes("2"), WriteOptions.ttl(ttl));
		long rewritten = System.nanoTime();
		await().atMost(expiryBound(ttl)).pollInterval(Duration.ofMillis(20)).until(() -> !reader.exists("t"));
		assertThat(Duration.ofNanos(System.nanoTime() - rewritten)).isGreaterThanOrEqualTo(ttl.minusMillis(100));
	}

	@Test
	void ttlPutWithoutTtlMakesTheKeyPermanent() {
		Store store = open();
		Store reader = openSecond();
		Duration ttl = ttl(store);
		store.put("p", bytes("temporary"), WriteOptions.ttl(ttl));
		store.put("p", "permanent");
		store.put("q", bytes("temporary"), WriteOptions.ttl(ttl));
		KVPair q = store.get("q");
		store.atomicPut("q", bytes("permanent"), q, WriteOptions.NONE);
		store.put("control", bytes("c"), WriteOptions.ttl(ttl));
		await().atMost(expiryBound(ttl)).until(() -> !reader.exists("control"));
		assertThat(reader.get("p").valueAsString()).isEqualTo("permanent");
		assertThat(reader.get("q").valueAsString()).isEqualTo("permanent");
	}

	@Test
	void ttlKeepAliveKeyLivesWhileItsStoreIsOpenAndGoesAfterClose() {
		Store writer = open();
		Store reader = openSecond();
		Duration ttl = ttl(writer);
		writer.put("alive", bytes("v"), WriteOptions.keepAlive(ttl));
		await().during(ttl.multipliedBy(2).plusMillis(500)).atMost(ttl.multipliedBy(3))
			.until(() -> reader.exists("alive"));
		writer.close();
		long closed = System.nanoTime();
		await().atMost(expiryBound(ttl)).pollInterval(Duration.ofMillis(20)).until(() -> !reader.exists("alive"));
		assertThat(Duration.ofNanos(System.nanoTime() - closed)).isLessThanOrEqualTo(expiryBound(ttl));
	}

	@Test
	void ttlKeepAliveKeysAreIndependentOfTheirParentsAndChildren() {
		Store writer = open();
		Store reader = openSecond();
		Duration ttl = ttl(writer);
		writer.put("kept", bytes("parent"), WriteOptions.keepAlive(ttl));
		writer.put("kept/child", "written after");
		writer.put("dir/child", "written before");
		writer.put("dir", bytes("parent"), WriteOptions.keepAlive(ttl));
		assertThat(keys(reader.list(""))).containsExactly("dir", "dir/child", "kept", "kept/child");
		EventRecorder events = new EventRecorder();
		reader.watchTree("", events);
		events.awaitInitialSnapshot(EVENT_TIMEOUT);
		writer.close();
		await().atMost(expiryBound(ttl)).pollInterval(Duration.ofMillis(20))
			.until(() -> !reader.exists("kept") && !reader.exists("dir"));
		assertThat(keys(reader.list(""))).containsExactly("dir/child", "kept/child");
		events.await(0, EVENT_TIMEOUT, "both deletes",
				(e) -> e instanceof WatchEvent.Delete && events.changes().size() >= 2);
		assertThat(events.changes()).containsExactlyInAnyOrder("delete kept", "delete dir");
	}

	@Test
	void ttlKeepAliveThenPlainPutMakesTheKeyPermanent() {
		Store writer = open();
		Store reader = openSecond();
		Duration ttl = ttl(writer);
		writer.put("k", bytes("alive"), WriteOptions.keepAlive(ttl));
		writer.put("k", "permanent");
		writer.close();
		await().during(expiryBound(ttl)).atMost(expiryBound(ttl).plusSeconds(1)).until(() -> reader.exists("k"));
		assertThat(reader.get("k").valueAsString()).isEqualTo("permanent");
	}

	// =====================================================================================
	// Watches
	// =====================================================================================

	@Test
	void watchDeliversTheCurrentStateFirst() {
		Store store = open();
		store.put("present", "v");
		EventRecorder present = new EventRecorder();
		EventRecorder absent = new EventRecorder();
		store.watch("present", present);
		store.watch("/absent/", absent);
		WatchEvent.Snapshot first = present.awaitInitialSnapshot(EVENT_TIMEOUT);
		assertThat(first.isResync()).isFalse();
		assertThat(first.watchedKey()).isEqualTo("present");
		assertThat(first.pairs()).containsExactly(store.get("present"));
		WatchEvent.Snapshot none = absent.awaitInitialSnapshot(EVENT_TIMEOUT);
		assertThat(none.watchedKey()).isEqualTo("absent");
		assertThat(none.pairs()).isEmpty();
		assertThat(present.events().get(0)).isInstanceOf(WatchEvent.Snapshot.class);
	}

	@Test
	void watchSeesEveryPutInOrderFromAnotherClient() {
		Store store = open();
		Store writer = openSecond();
		EventRecorder events = new EventRecorder();
		Watch watch = store.watch("k", events);
		events.awaitInitialSnapshot(EVENT_TIMEOUT);
		List<Long> indexes = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			writer.put("/k/", "v" + i);
			indexes.add(writer.get("k").lastIndex());
		}
		events.await(0, EVENT_TIMEOUT, "tenth put", (e) -> e instanceof WatchEvent.Put p && p.pair().valueAsString().equals("v9"));
		List<WatchEvent.Put> puts = events.events().stream().filter(WatchEvent.Put.class::isInstance)
			.map(WatchEvent.Put.class::cast).toList();
		assertThat(puts).extracting((p) -> p.pair().valueAsString()).containsExactly("v0", "v1", "v2", "v3", "v4",
				"v5", "v6", "v7", "v8", "v9");
		assertThat(puts).extracting(WatchEvent.Put::lastIndex).containsExactlyElementsOf(indexes);
		assertThat(puts).allSatisfy((p) -> {
			assertThat(p.key()).isEqualTo("k");
			assertThat(p.watchedKey()).isEqualTo("k");
		});
		assertThat(watch.lastIndex()).isEqualTo(indexes.get(9));
	}

	@Test
	void watchSeesPutsOfAnUnchangedValue() {
		Store store = open();
		store.put("k", "same");
		EventRecorder events = new EventRecorder();
		store.watch("k", events);
		events.awaitInitialSnapshot(EVENT_TIMEOUT);
		store.put("k", "same");
		store.put("k", "same");
		await().atMost(EVENT_TIMEOUT).until(() -> events.puts().size() == 2);
		assertThat(events.puts()).containsExactly("k=same", "k=same");
	}

	@Test
	void watchKeepsWatchingAcrossDeleteAndRecreate() {
		Store store = open();
		Store writer = openSecond();
		writer.put("k", "1");
		EventRecorder events = new EventRecorder();
		store.watch("k", events);
		events.awaitInitialSnapshot(EVENT_TIMEOUT);
		writer.delete("k");
		writer.put("k", "2");
		writer.atomicDelete("k", writer.get("k"));
		writer.atomicPut("k", bytes("3"), null, WriteOptions.NONE);
		events.await(0, EVENT_TIMEOUT, "re-created 3", (e) -> e instanceof WatchEvent.Put p && p.pair().valueAsString().equals("3"));
		assertThat(events.changes()).containsExactly("delete k", "put k=2", "delete k", "put k=3");
		WatchEvent.Delete delete = (WatchEvent.Delete) events.events().get(1);
		assertThat(delete.lastIndex()).isPositive();
		assertThat(delete.previous()).isNotNull();
		assertThat(delete.previous().valueAsString()).isEqualTo("1");
		assertThat(events.stateAt(1)).isEmpty();
		assertThat(events.stateAt(2)).containsOnlyKeys("k");
	}

	@Test
	void watchIgnoresOtherKeys() {
		Store store = open();
		EventRecorder events = new EventRecorder();
		store.watch("k", events);
		events.awaitInitialSnapshot(EVENT_TIMEOUT);
		store.put("k/child", "c");
		store.put("kk", "c");
		store.put("other", "o");
		store.put("k", "mine");
		events.await(0, EVENT_TIMEOUT, "put k", (e) -> e instanceof WatchEvent.Put);
		assertThat(events.changes()).containsExactly("put k=mine");
	}

	@Test
	void watchTreeDeliversTheSubtreeThenEveryChangeAtAnyDepth() {
		Store store = open();
		Store writer = openSecond();
		writer.put("app/a", "1");
		writer.put("app/x/y/z", "2");
		writer.put("app", "the dir itself");
		writer.put("apple", "prefix only");
		EventRecorder events = new EventRecorder();
		store.watchTree("app", events);
		WatchEvent.Snapshot snapshot = events.awaitInitialSnapshot(EVENT_TIMEOUT);
		assertThat(keys(snapshot.pairs())).containsExactly("app/a", "app/x/y/z");
		assertThat(snapshot.watchedKey()).isEqualTo("app");

		writer.put("app/b", "new");
		writer.put("app/a", "1 changed");
		writer.put("app/x/y/z", "2 changed");
		writer.put("app/x/y/w", "depth 3");
		writer.put("apple/core", "outside");
		writer.put("app", "dir itself again");
		writer.delete("app/a");
		writer.put("app/done", "end");
		events.await(0, EVENT_TIMEOUT, "done", (e) -> e instanceof WatchEvent.Put p && p.key().equals("app/done"));
		assertThat(events.changes()).containsExactly("put app/b=new", "put app/a=1 changed", "put app/x/y/z=2 changed",
				"put app/x/y/w=depth 3", "delete app/a", "put app/done=end");
		int last = events.size() - 1;
		assertThat(events.stateAt(last)).containsOnlyKeys("app/b", "app/done", "app/x/y/w", "app/x/y/z");
		assertThat(events.stateAt(last).get("app/x/y/z").valueAsString()).isEqualTo("2 changed");
		assertThat(events.stateAt(1)).containsOnlyKeys("app/a", "app/b", "app/x/y/z");
	}

	@Test
	void watchTreeOfADirectoryThatDoesNotExistYet() {
		Store store = open();
		EventRecorder events = new EventRecorder();
		store.watchTree("later", events);
		assertThat(events.awaitInitialSnapshot(EVENT_TIMEOUT).pairs()).isEmpty();
		store.put("later/a/b", "v");
		store.put("later", "itself");
		store.put("laterx", "no");
		store.put("later/c", "w");
		events.await(0, EVENT_TIMEOUT, "later/c", (e) -> e instanceof WatchEvent.Put p && p.key().equals("later/c"));
		assertThat(events.changes()).containsExactly("put later/a/b=v", "put later/c=w");
	}

	@Test
	void watchTreeOfTheRootSeesTheWholeNamespace() {
		Store store = open();
		store.put("a", "1");
		EventRecorder events = new EventRecorder();
		store.watchTree("/", events);
		assertThat(keys(events.awaitInitialSnapshot(EVENT_TIMEOUT).pairs())).containsExactly("a");
		store.put("b/c/d", "2");
		events.await(0, EVENT_TIMEOUT, "b/c/d", (e) -> e instanceof WatchEvent.Put p && p.key().equals("b/c/d"));
	}

	@Test
	void watchTreeSeesDeleteTreeAsOneDeletePerKey() {
		Store store = open();
		store.put("d/a", "1");
		store.put("d/b/c", "2");
		store.put("d", "itself");
		EventRecorder events = new EventRecorder();
		store.watchTree("d", events);
		events.awaitInitialSnapshot(EVENT_TIMEOUT);
		store.deleteTree("d");
		await().atMost(EVENT_TIMEOUT).until(() -> events.changes().size() >= 2);
		assertThat(events.changes()).containsExactlyInAnyOrder("delete d/a", "delete d/b/c");
		assertThat(events.stateAt(events.size() - 1)).isEmpty();
	}

	@Test
	void watchCurrentIsOnlyAvailableDuringTheEvent() {
		Store store = open();
		EventRecorder events = new EventRecorder();
		store.watchTree("x", events);
		events.awaitInitialSnapshot(EVENT_TIMEOUT);
		store.put("x/1", "v");
		int at = events.await(0, EVENT_TIMEOUT, "put", (e) -> e instanceof WatchEvent.Put);
		WatchEvent put = events.events().get(at);
		assertThat(events.stateAt(at)).containsOnlyKeys("x/1");
		assertThatThrownBy(put::current).isInstanceOf(IllegalStateException.class);
	}

	@Test
	void watchCloseStopsDelivery() {
		Store store = open();
		EventRecorder closedOne = new EventRecorder();
		EventRecorder control = new EventRecorder();
		Watch watch = store.watch("k", closedOne);
		store.watch("k", control);
		closedOne.awaitInitialSnapshot(EVENT_TIMEOUT);
		control.awaitInitialSnapshot(EVENT_TIMEOUT);
		store.put("k", "before");
		closedOne.await(0, EVENT_TIMEOUT, "before", (e) -> e instanceof WatchEvent.Put);
		watch.close();
		watch.close();
		assertThat(watch.isActive()).isFalse();
		int seen = closedOne.size();
		store.put("k", "after");
		control.await(0, EVENT_TIMEOUT, "after", (e) -> e instanceof WatchEvent.Put p && p.pair().valueAsString().equals("after"));
		assertThat(closedOne.size()).isEqualTo(seen);
	}

	@Test
	void watchCloseFromInsideTheListenerStopsDelivery() {
		Store store = open();
		AtomicInteger calls = new AtomicInteger();
		AtomicReference<Watch> self = new AtomicReference<>();
		CountDownLatch registered = new CountDownLatch(1);
		self.set(store.watch("k", (event) -> {
			calls.incrementAndGet();
			if (event instanceof WatchEvent.Put) {
				try {
					registered.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				self.get().close();
			}
		}));
		registered.countDown();
		EventRecorder control = new EventRecorder();
		store.watch("k", control);
		control.awaitInitialSnapshot(EVENT_TIMEOUT);
		store.put("k", "1");
		store.put("k", "2");
		control.await(0, EVENT_TIMEOUT, "2", (e) -> e instanceof WatchEvent.Put p && p.pair().valueAsString().equals("2"));
		await().atMost(EVENT_TIMEOUT).until(() -> !self.get().isActive());
		assertThat(calls.get()).isEqualTo(2);
	}

	@Test
	void watchStopsWhenTheStoreCloses() {
		Store store = open();
		Store writer = openSecond();
		EventRecorder events = new EventRecorder();
		Watch watch = store.watchTree("", events);
		events.awaitInitialSnapshot(EVENT_TIMEOUT);
		store.close();
		assertThat(watch.isActive()).isFalse();
		int seen = events.size();
		EventRecorder control = new EventRecorder();
		writer.watchTree("", control);
		control.awaitInitialSnapshot(EVENT_TIMEOUT);
		writer.put("after-close", "v");
		control.await(0, EVENT_TIMEOUT, "after-close", (e) -> e instanceof WatchEvent.Put);
		assertThat(events.size()).isEqualTo(seen);
		assertThatThrownBy(() -> store.watch("k", (e) -> {
		})).isInstanceOf(StoreClosedException.class);
	}

	@Test
	void watchSlowListenerDoesNotStallOthers() {
		Store store = open();
		CountDownLatch release = new CountDownLatch(1);
		AtomicInteger slowEvents = new AtomicInteger();
		List<Watch> slow = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			slow.add(store.watch("slow", (event) -> {
				slowEvents.incrementAndGet();
				if (event instanceof WatchEvent.Put) {
					try {
						release.await(30, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}
			}));
		}
		EventRecorder fast = new EventRecorder();
		store.watch("fast", fast);
		fast.awaitInitialSnapshot(EVENT_TIMEOUT);
		await().atMost(EVENT_TIMEOUT).until(() -> slowEvents.get() == 8);
		store.put("slow", "blocks its listeners");
		for (int i = 0; i < 5; i++) {
			store.put("fast", "v" + i);
		}
		try {
			fast.await(0, EVENT_TIMEOUT, "fast v4", (e) -> e instanceof WatchEvent.Put p && p.pair().valueAsString().equals("v4"));
		}
		finally {
			release.countDown();
		}
		assertThat(fast.puts()).containsExactly("fast=v0", "fast=v1", "fast=v2", "fast=v3", "fast=v4");
	}

	@Test
	void watchManyWatchesShareThreads() {
		Store store = open();
		store.put("w/0", "x");
		int before = Thread.activeCount();
		int count = 1000;
		AtomicInteger snapshots = new AtomicInteger();
		AtomicInteger puts = new AtomicInteger();
		for (int i = 0; i < count; i++) {
			store.watch("w/" + (i % 100), (event) -> {
				if (event instanceof WatchEvent.Snapshot) {
					snapshots.incrementAndGet();
				}
				else if (event instanceof WatchEvent.Put) {
					puts.incrementAndGet();
				}
			});
		}
		await().atMost(Timing.seconds(60)).until(() -> snapshots.get() == count);
		for (int i = 0; i < 100; i++) {
			store.put("w/" + i, "changed");
		}
		await().atMost(Timing.seconds(60)).until(() -> puts.get() == count);
		assertThat(Thread.activeCount() - before).as("threads added for %d watches", count).isLessThanOrEqualTo(32);
	}

	@Test
	void watchListenerThatThrowsKeepsReceivingEvents() {
		Store store = open();
		List<String> seen = new CopyOnWriteArrayList<>();
		store.watch("k", (event) -> {
			if (event instanceof WatchEvent.Put put) {
				seen.add(put.pair().valueAsString());
				throw new IllegalStateException("listener failure (expected by the test)");
			}
		});
		store.put("k", "1");
		store.put("k", "2");
		await().atMost(EVENT_TIMEOUT).until(() -> seen.size() == 2);
		assertThat(seen).containsExactly("1", "2");
	}

	@Test
	void watchOnACustomExecutor() {
		Store store = open();
		ExecutorService executor = Executors.newSingleThreadExecutor((r) -> new Thread(r, "custom-watch-executor"));
		this.executors.add(executor);
		EventRecorder events = new EventRecorder();
		store.watch("k", WatchOptions.DEFAULTS.withExecutor(executor), events);
		events.awaitInitialSnapshot(EVENT_TIMEOUT);
		store.put("k", "v");
		events.await(0, EVENT_TIMEOUT, "put", (e) -> e instanceof WatchEvent.Put);
		assertThat(events.threads()).containsOnly("custom-watch-executor");
	}

	@Test
	void watchResumedFromAnIndexConvergesOnTheMissedChanges() {
		Store store = open();
		Store writer = openSecond();
		writer.put("r/a", "1");
		EventRecorder first = new EventRecorder();
		Watch watch = store.watchTree("r", first);
		first.awaitInitialSnapshot(EVENT_TIMEOUT);
		writer.put("r/b", "2");
		first.await(0, EVENT_TIMEOUT, "r/b", (e) -> e instanceof WatchEvent.Put p && p.key().equals("r/b"));
		long resumeFrom = watch.lastIndex();
		assertThat(resumeFrom).isPositive();
		watch.close();

		writer.put("r/c", "3");
		writer.delete("r/a");
		writer.put("r/b", "2 changed");

		EventRecorder resumed = new EventRecorder();
		store.watchTree("r", WatchOptions.DEFAULTS.resumeFrom(resumeFrom), resumed);
		writer.put("r/end", "4");
		int end = resumed.await(0, EVENT_TIMEOUT, "r/end", (e) -> e instanceof WatchEvent.Put p && p.key().equals("r/end"));
		assertThat(resumed.stateAt(end)).containsOnlyKeys("r/b", "r/c", "r/end");
		assertThat(resumed.stateAt(end).get("r/b").valueAsString()).isEqualTo("2 changed");
		WatchEvent firstEvent = resumed.events().get(0);
		if (firstEvent instanceof WatchEvent.Snapshot snapshot) {
			// No history on this backend: the watch must say so with a resync.
			assertThat(snapshot.isResync()).isTrue();
		}
		else {
			assertThat(resumed.changes().subList(0, 3)).containsExactly("put r/c=3", "delete r/a", "put r/b=2 changed");
		}
	}

	// =====================================================================================
	// Locks
	// =====================================================================================

	private LockOptions lockOptions(Store store) {
		return LockOptions.builder().ttl(ttl(store)).build();
	}

	@Test
	void lockIsCreatedNotHeldAndUnlockOfAnUnheldLockIsAnError() {
		Store store = open();
		StoreLock lock = store.newLock("/l/", lockOptions(store));
		assertThat(lock.key()).isEqualTo("l");
		assertThat(lock.isHeld()).isFalse();
		assertThatThrownBy(lock::unlock).isInstanceOf(LockNotHeldException.class).hasMessageContaining("l");
		LockLease lease = lock.tryLock().orElseThrow();
		assertThat(lock.isHeld()).isTrue();
		assertThat(lease.isValid()).isTrue();
		lock.unlock();
		assertThat(lock.isHeld()).isFalse();
		assertThat(lease.isValid()).isFalse();
		assertThatThrownBy(lock::unlock).isInstanceOf(LockNotHeldException.class);
		lease.close();
	}

	@Test
	void lockWithoutATtlGetsTheStoreDefaultWhichTheServerHonours() {
		Store store = open();
		Duration expected = (store.minimumTtl().compareTo(LockOptions.DEFAULT_TTL) > 0) ? store.minimumTtl()
				: LockOptions.DEFAULT_TTL;
		StoreLock lock = store.newLock("l");
		assertThat(lock.options().ttl()).isEqualTo(expected);
		assertThat(store.newLock("m", LockOptions.builder().value("v").build()).options().ttl()).isEqualTo(expected);
		try (LockLease lease = lock.lock()) {
			assertThat(lease.isValid()).isTrue();
		}
	}

	@Test
	void lockExcludesOtherLockObjectsStoresAndClients() {
		Store one = open();
		Store two = openSecond();
		StoreLock first = one.newLock("l", lockOptions(one));
		StoreLock sameStore = one.newLock("l", lockOptions(one));
		StoreLock otherStore = two.newLock("l", lockOptions(two));
		LockLease lease = first.lock();
		assertThat(sameStore.tryLock()).isEmpty();
		assertThat(otherStore.tryLock()).isEmpty();
		assertThat(otherStore.tryLock(Timing.millis(300))).isEmpty();
		assertThat(sameStore.isHeld()).isFalse();
		lease.close();
		LockLease second = otherStore.tryLock(EVENT_TIMEOUT).orElseThrow();
		assertThat(first.tryLock()).isEmpty();
		second.close();
		assertThat(first.tryLock(EVENT_TIMEOUT)).isPresent();
	}

	@Test
	void lockIsNotReentrant() {
		Store store = open();
		StoreLock lock = store.newLock("l", lockOptions(store));
		lock.lock();
		assertThatThrownBy(lock::tryLock).isInstanceOf(IllegalStateException.class).hasMessageContaining("reentrant");
		assertThat(lock.isHeld()).isTrue();
	}

	@Test
	void lockGivesMutualExclusionToCompetingThreads() throws Exception {
		Store one = open();
		Store two = openSecond();
		int threads = 4;
		int rounds = 15;
		AtomicInteger inside = new AtomicInteger();
		AtomicInteger overlaps = new AtomicInteger();
		AtomicInteger total = new AtomicInteger();
		ExecutorService pool = threads(threads);
		List<Future<?>> futures = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			Store store = (t % 2 == 0) ? one : two;
			futures.add(pool.submit(() -> {
				StoreLock lock = store.newLock("mutex", lockOptions(store));
				for (int i = 0; i < rounds; i++) {
					try (LockLease lease = lock.lock()) {
						if (inside.incrementAndGet() != 1) {
							overlaps.incrementAndGet();
						}
						int value = total.get();
						Thread.yield();
						total.set(value + 1);
						inside.decrementAndGet();
					}
				}
				return null;
			}));
		}
		for (Future<?> future : futures) {
			future.get(Timing.seconds(120).toSeconds(), TimeUnit.SECONDS);
		}
		assertThat(overlaps.get()).isZero();
		assertThat(total.get()).isEqualTo(threads * rounds);
	}

	@Test
	void lockUnlockHandsOverPromptly() throws Exception {
		Store one = open();
		Store two = openSecond();
		LockLease held = one.newLock("l", lockOptions(one)).lock();
		AtomicLong acquiredAt = new AtomicLong();
		CountDownLatch waiting = new CountDownLatch(1);
		ExecutorService pool = threads(1);
		Future<LockLease> waiter = pool.submit(() -> {
			StoreLock lock = two.newLock("l", lockOptions(two));
			waiting.countDown();
			LockLease lease = lock.lock();
			acquiredAt.set(System.nanoTime());
			return lease;
		});
		waiting.await();
		// Give the waiter time to really block on the backend: the hand-over must then be prompt.
		await().pollDelay(Timing.millis(500)).atMost(Timing.seconds(1)).until(() -> true);
		assertThat(waiter.isDone()).isFalse();
		long released = System.nanoTime();
		held.close();
		LockLease lease = waiter.get(Timing.seconds(10).toSeconds(), TimeUnit.SECONDS);
		assertThat(lease.isValid()).isTrue();
		assertThat(Duration.ofNanos(acquiredAt.get() - released)).isLessThan(Timing.millis(1000));
	}

	@Test
	void lockHeldLockRenewsItselfPastItsTtl() {
		Store one = open();
		Store two = openSecond();
		Duration ttl = ttl(one);
		LockLease lease = one.newLock("l", LockOptions.builder().ttl(ttl).build()).lock();
		StoreLock other = two.newLock("l", lockOptions(two));
		await().during(ttl.multipliedBy(3)).atMost(ttl.multipliedBy(4)).until(() -> lease.isValid());
		assertThat(other.tryLock()).isEmpty();
		assertThat(lease.lost().toCompletableFuture()).isNotDone();
	}

	@Test
	void lockHolderThatStopsRenewingIsTakenOverAfterItsTtlAndTold() throws Exception {
		Store one = open();
		Store two = openSecond();
		Duration ttl = ttl(one);
		LockLease lease = one.newLock("l", LockOptions.builder().ttl(ttl).renew(false).build()).lock();
		long acquired = System.nanoTime();
		AtomicLong told = new AtomicLong();
		lease.lost().thenRun(() -> told.set(System.nanoTime()));
		LockLease taken = two.newLock("l", lockOptions(two)).tryLock(expiryBound(ttl).plus(Timing.seconds(5)))
			.orElseThrow();
		long takenAt = System.nanoTime();
		// The holder gives the lock up at its own deadline, and is told first: the TTL less the safety
		// margin, or half of that where the server may expire it that early (Consul, docs/compatibility.md).
		Duration deadline = ttl.minus(ttl.multipliedBy(AbstractStoreLock.SAFETY_MARGIN_PERCENT).dividedBy(100));
		assertThat(Duration.ofNanos(takenAt - acquired)).isGreaterThanOrEqualTo(deadline.dividedBy(2).minusMillis(100));
		assertThat(told.get()).as("holder told before the takeover").isNotZero();
		assertThat(told.get() - takenAt).isNegative();
		LockLoss loss = lease.lost().toCompletableFuture().get(expiryBound(ttl).toMillis(), TimeUnit.MILLISECONDS);
		assertThat(loss.key()).isEqualTo("l");
		assertThat(loss.fencingToken()).isEqualTo(lease.fencingToken());
		assertThat(lease.isValid()).isFalse();
		assertThat(taken.fencingToken()).isGreaterThan(lease.fencingToken());
		assertThat(taken.isValid()).isTrue();
	}

	@Test
	void lockHolderIsToldWhenItsStoreCloses() throws Exception {
		Store one = open();
		Store two = openSecond();
		LockLease lease = one.newLock("l", lockOptions(one)).lock();
		one.close();
		LockLoss loss = lease.lost().toCompletableFuture().get(5, TimeUnit.SECONDS);
		assertThat(loss.reason()).isEqualTo(LockLoss.Reason.STORE_CLOSED);
		assertThat(lease.isValid()).isFalse();
		assertThat(two.newLock("l", lockOptions(two)).tryLock(EVENT_TIMEOUT)).isPresent();
	}

	@Test
	void lockFencingTokensGrowWithEveryAcquisition() {
		Store one = open();
		Store two = openSecond();
		long previous = Long.MIN_VALUE;
		StoreLock a = one.newLock("fenced", lockOptions(one));
		StoreLock b = two.newLock("fenced", lockOptions(two));
		for (int i = 0; i < 6; i++) {
			StoreLock lock = (i % 2 == 0) ? a : b;
			try (LockLease lease = lock.tryLock(EVENT_TIMEOUT).orElseThrow()) {
				assertThat(lease.fencingToken()).as("token of acquisition %d", i).isGreaterThan(previous);
				previous = lease.fencingToken();
			}
		}
	}

	@Test
	void lockCanBeAcquiredAgainAfterUnlockAndAfterAFailedAttempt() {
		Store one = open();
		Store two = openSecond();
		StoreLock lock = one.newLock("l", lockOptions(one));
		lock.lock();
		lock.unlock();
		lock.lock();
		lock.unlock();
		LockLease other = two.newLock("l", lockOptions(two)).lock();
		assertThat(lock.tryLock()).isEmpty();
		assertThat(lock.tryLock(Timing.millis(200))).isEmpty();
		other.close();
		assertThat(lock.tryLock(EVENT_TIMEOUT)).isPresent();
	}

	@Test
	void lockTryLockTimesOutAndInterruptsGiveUp() throws Exception {
		Store one = open();
		Store two = openSecond();
		one.newLock("l", lockOptions(one)).lock();
		StoreLock lock = two.newLock("l", lockOptions(two));
		long start = System.nanoTime();
		assertThat(lock.tryLock(Timing.millis(500))).isEmpty();
		Duration waited = Duration.ofNanos(System.nanoTime() - start);
		assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(450)).isLessThan(Timing.seconds(5));

		Thread.currentThread().interrupt();
		assertThat(lock.tryLock(Timing.seconds(5))).isEmpty();
		assertThat(Thread.interrupted()).isTrue();

		ExecutorService pool = threads(1);
		CountDownLatch started = new CountDownLatch(1);
		Future<Throwable> blocked = pool.submit(() -> {
			started.countDown();
			try {
				lock.lock();
				return null;
			}
			catch (Throwable ex) {
				return ex;
			}
		});
		started.await();
		await().pollDelay(Timing.millis(200)).atMost(Timing.seconds(1)).until(() -> true);
		pool.shutdownNow();
		Throwable thrown = blocked.get(Timing.seconds(10).toSeconds(), TimeUnit.SECONDS);
		assertThat(thrown).isInstanceOf(StoreInterruptedException.class);
		assertThat(lock.isHeld()).isFalse();
	}

	@Test
	void lockValueIsWrittenToTheKeyAndDeleteOnUnlockRemovesIt() {
		Store store = open();
		Store reader = openSecond();
		StoreLock lock = store.newLock("leader", LockOptions.builder().ttl(ttl(store)).value("node-1").deleteOnUnlock(true).build());
		LockLease lease = lock.lock();
		assertThat(reader.get("leader").valueAsString()).isEqualTo("node-1");
		lease.close();
		assertThat(reader.exists("leader")).isFalse();

		StoreLock keep = store.newLock("leader", LockOptions.builder().ttl(ttl(store)).value("node-2").build());
		keep.lock();
		keep.unlock();
		assertThat(reader.get("leader").valueAsString()).isEqualTo("node-2");
	}

	@Test
	void lockOnAKeyThatHoldsDataLeavesTheDataAlone() {
		Store store = open();
		store.put("data", "precious");
		KVPair before = store.get("data");
		StoreLock lock = store.newLock("data", lockOptions(store));
		lock.lock();
		assertThat(store.get("data")).isEqualTo(before);
		assertThat(keys(store.list(""))).containsExactly("data");
		lock.unlock();
		assertThat(store.get("data")).isEqualTo(before);
	}

	@Test
	void lockCloseEndsEveryWaiterAtOnceWithStoreClosed() throws Exception {
		Store one = open();
		Store two = openSecond();
		one.newLock("l", lockOptions(one)).lock();
		ExecutorService pool = threads(2);
		CountDownLatch started = new CountDownLatch(2);
		Future<Throwable> locking = pool.submit(() -> {
			started.countDown();
			return thrownBy(() -> two.newLock("l", lockOptions(two)).lock());
		});
		Future<Throwable> trying = pool.submit(() -> {
			started.countDown();
			return thrownBy(() -> two.newLock("l", lockOptions(two)).tryLock(Timing.seconds(60)));
		});
		started.await();
		// Give both time to really wait on the backend: the close must then end them at once.
		await().pollDelay(Timing.millis(700)).atMost(Timing.seconds(2)).until(() -> true);
		assertThat(locking.isDone() || trying.isDone()).isFalse();
		long closing = System.nanoTime();
		two.close();
		for (Future<Throwable> waiter : List.of(locking, trying)) {
			Throwable thrown = waiter.get(Timing.seconds(10).toSeconds(), TimeUnit.SECONDS);
			assertThat(thrown).isInstanceOf(StoreClosedException.class);
			assertThat(thrown.getMessage()).doesNotContainPattern("PT[0-9]");
		}
		assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Timing.seconds(2));
	}

	@Test
	void lockCloseReleasesEveryHeldLockTogetherAndTellsItsHolders() throws Exception {
		Store one = open();
		Store two = openSecond();
		List<LockLease> held = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			held.add(two.newLock("l" + i, lockOptions(two)).lock());
		}
		long closing = System.nanoTime();
		// An application shut down by interrupting the closing thread: its locks are released all the same.
		Thread.currentThread().interrupt();
		try {
			two.close();
			assertThat(Thread.currentThread().isInterrupted()).as("interrupt status after close()").isTrue();
		}
		finally {
			Thread.interrupted();
		}
		assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Timing.seconds(5));
		for (LockLease lease : held) {
			// Told by the time close() returns: the store cannot renew the lease any more.
			assertThat(lease.lost().toCompletableFuture().getNow(null)).as("loss of %s", lease.key())
				.extracting(LockLoss::reason)
				.isEqualTo(LockLoss.Reason.STORE_CLOSED);
			assertThat(lease.isValid()).isFalse();
			// Released on the answering server, not left to its expiry.
			try (LockLease next = one.newLock(lease.key(), lockOptions(one)).tryLock().orElseThrow(
					() -> new AssertionError(lease.key() + " was not released by close()"))) {
				assertThat(next.fencingToken()).isGreaterThan(lease.fencingToken());
			}
		}
	}

	@Test
	void lockUnlockReleasesWhateverTheInterruptStatusAndKeepsIt() {
		Store one = open();
		Store two = openSecond();
		for (boolean deleteOnUnlock : new boolean[] { false, true }) {
			StoreLock lock = one.newLock("l", LockOptions.builder().ttl(ttl(one)).value("v").deleteOnUnlock(deleteOnUnlock).build());
			LockLease lease = lock.lock();
			Thread.currentThread().interrupt();
			try {
				lock.unlock();
				assertThat(Thread.currentThread().isInterrupted()).isTrue();
			}
			finally {
				Thread.interrupted();
			}
			assertThat(lease.isValid()).isFalse();
			try (LockLease other = two.newLock("l", lockOptions(two)).tryLock().orElseThrow()) {
				assertThat(other.fencingToken()).isGreaterThan(lease.fencingToken());
			}
		}
	}

	@Test
	void lockInterruptedAttemptsGiveUpCleanlyAndLeaveNothingHeld() throws Exception {
		Store one = open();
		Store two = openSecond();
		StoreLock lock = one.newLock("l", lockOptions(one));
		StoreLock blocker = two.newLock("l", lockOptions(two));
		java.util.Random random = new java.util.Random(42);
		for (int i = 0; i < 24; i++) {
			// Every third round the lock is held elsewhere, so the interrupt also hits the wait.
			LockLease held = (i % 3 == 2) ? blocker.lock() : null;
			boolean blocking = i % 2 == 0;
			// Interrupt at a random moment: before, during a round trip, or while waiting.
			Object result = interruptedAfter(random.nextInt(40_000), () -> {
				Object lease = blocking ? lock.lock() : lock.tryLock(Timing.seconds(20)).orElse(null);
				return (lease != null) ? lease : (Thread.currentThread().isInterrupted() ? "empty+interrupted" : "empty");
			});
			if (result instanceof LockLease lease) {
				lease.close();
			}
			else if (blocking) {
				assertThat(result).as("round %d", i).isInstanceOf(StoreInterruptedException.class);
			}
			else {
				assertThat(result).as("round %d", i).isEqualTo("empty+interrupted");
			}
			if (held != null) {
				held.close();
			}
			assertThat(lock.isHeld()).isFalse();
			// Nothing may be left behind: the lock is free for another client at once.
			LockLease check = blocker.tryLock(Timing.seconds(2)).orElse(null);
			assertThat(check).as("lock free after round %d (%s)", i, result).isNotNull();
			check.close();
		}
	}

	@Test
	void lockLeaseOfAHolderThatCannotRenewEndsAtItsOwnDeadline() throws Exception {
		Store one = open();
		Duration ttl = ttl(one);
		LockLease lease = one.newLock("l", LockOptions.builder().ttl(ttl).renew(false).build()).lock();
		long acquired = System.nanoTime();
		await().atMost(ttl.plus(Timing.seconds(1))).until(() -> !lease.isValid());
		Duration lived = Duration.ofNanos(System.nanoTime() - acquired);
		// The lease's own deadline comes before the server's expiry.
		assertThat(lived).isLessThan(ttl.plus(Timing.millis(500)));
		assertThat(lease.lost().toCompletableFuture().get(5, TimeUnit.SECONDS).reason()).isEqualTo(LockLoss.Reason.EXPIRED);
	}

	/** Whether a store in another process can open the same data (not the local backend's file). */
	protected boolean sharedWithOtherProcesses() {
		return true;
	}

	@Test
	void lockFrozenHolderLearnsOfTheLossBeforeItsNextCallReturns() throws Exception {
		Store other = open();
		Duration ttl = ttl(other);
		if (!sharedWithOtherProcesses()) {
			frozenHolderInThisProcess(other, ttl);
			return;
		}
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
				LockHolderProcess.class.getName(), LockHolderProcess.configLine(storeConfig().namespace(namespace()).build()),
				"l", String.valueOf(ttl.toMillis()))
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		ExecutorService reader = threads(1);
		BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
		PrintStream in = new PrintStream(holder.getOutputStream(), true, StandardCharsets.UTF_8);
		try {
			// A JVM starting on a busy machine: generous.
			String held = reader.submit(out::readLine).get(Timing.seconds(120).toSeconds(), TimeUnit.SECONDS);
			assertThat(held).startsWith("HELD ");
			signal(holder, "STOP");
			// Frozen: no renewal, no timer. The server lets the lock go after its TTL, and another client takes it.
			LockLease taken = other.newLock("l", lockOptions(other)).tryLock(ttl.multipliedBy(3).plus(Timing.seconds(10)))
				.orElseThrow();
			assertThat(taken.fencingToken()).isGreaterThan(Long.parseLong(held.substring(5)));
			signal(holder, "CONT");
			in.println("WRITE");
			String wrote = reader.submit(out::readLine).get(Timing.seconds(30).toSeconds(), TimeUnit.SECONDS);
			// Told before its first call after waking returned (whichever of the timer or the call noticed first).
			assertThat(wrote).matches("(WROTE|FAILED) told=true valid=false reason=.*");
			in.close();
		}
		finally {
			holder.destroyForcibly();
			holder.waitFor(10, TimeUnit.SECONDS);
		}
	}

	/** The local file is this process's alone: the holder's renewals and timer are frozen instead. */
	private void frozenHolderInThisProcess(Store other, Duration ttl) throws Exception {
		Store holder = open();
		LockLease lease = holder.newLock("l", LockOptions.builder().ttl(ttl).build()).lock();
		CountDownLatch thaw = new CountDownLatch(1);
		((AbstractStore) holder).scheduler().execute(() -> {
			try {
				thaw.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		try {
			AtomicLong told = new AtomicLong();
			lease.lost().thenRun(() -> told.set(System.nanoTime()));
			LockLease taken = other.newLock("l", lockOptions(other)).tryLock(ttl.multipliedBy(3).plus(Timing.seconds(10)))
				.orElseThrow();
			assertThat(taken.fencingToken()).isGreaterThan(lease.fencingToken());
			holder.put("fenced", "x");
			long returned = System.nanoTime();
			assertThat(told.get()).isNotZero();
			assertThat(told.get() - returned).isNegative();
			assertThat(lease.isValid()).isFalse();
		}
		finally {
			thaw.countDown();
		}
	}

	private static void signal(Process process, String signal) throws Exception {
		Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start();
		assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -%s", signal).isTrue();
	}

	/**
	 * Run {@code call} on a thread of its own, interrupt it after {@code micros} and wait for it
	 * to end (it must, promptly).
	 * @return what it returned or threw; a {@link StoreInterruptedException} thrown without
	 * the interrupt status set becomes an {@link AssertionError}
	 */
	private static Object interruptedAfter(long micros, java.util.concurrent.Callable<Object> call) throws InterruptedException {
		AtomicReference<Object> outcome = new AtomicReference<>();
		Thread thread = new Thread(() -> {
			try {
				outcome.set(call.call());
			}
			catch (StoreInterruptedException ex) {
				outcome.set(Thread.currentThread().isInterrupted() ? ex : new AssertionError("interrupt status lost", ex));
			}
			catch (Exception ex) {
				outcome.set(ex);
			}
		});
		thread.start();
		java.util.concurrent.locks.LockSupport.parkNanos(micros * 1000);
		thread.interrupt();
		thread.join(Timing.seconds(10).toMillis());
		assertThat(thread.isAlive()).as("interrupted call still running").isFalse();
		return outcome.get();
	}

	private static @org.jspecify.annotations.Nullable Throwable thrownBy(Executable call) {
		try {
			call.execute();
			return null;
		}
		catch (Throwable ex) {
			return ex;
		}
	}

	// =====================================================================================
	// Errors and failures
	// =====================================================================================

	@Test
	void closeIsIdempotentAndLaterCallsFailWithStoreClosed() {
		Store store = open();
		store.put("k", "v");
		StoreLock lock = store.newLock("l", lockOptions(store));
		store.close();
		store.close();
		assertThat(store.isClosed()).isTrue();
		List<Executable> calls = List.of(() -> store.put("k", "v"), () -> store.get("k"), () -> store.exists("k"),
				() -> store.delete("k"), () -> store.list(""), () -> store.deleteTree(""),
				() -> store.atomicPut("k", bytes("v"), null, WriteOptions.NONE),
				() -> store.atomicDelete("k", KVPair.of("k", null, 1)), () -> store.watch("k", (e) -> {
				}), () -> store.newLock("l"), lock::tryLock);
		for (Executable call : calls) {
			assertThatThrownBy(call::execute).isInstanceOf(StoreClosedException.class);
		}
	}

	/**
	 * Opens a store of {@code config} (namespace set) whose calls to the server that holds its
	 * data all pass through the returned proxy, with a request timeout long enough that only a
	 * close ends a frozen call. By default the store is given the first endpoint alone, behind
	 * the proxy; a backend whose client learns server addresses from the server itself (Redis
	 * Cluster) overrides this.
	 */
	protected ProxiedStore openThroughFreezingProxy(StoreConfig config) throws IOException {
		String endpoint = config.endpoints().get(0);
		java.net.InetSocketAddress server = TestServers.address(endpoint);
		String target = server.getHostString() + ":" + server.getPort();
		FreezingProxy proxy = new FreezingProxy(target);
		StoreConfig.Builder through = config.toBuilder()
			.endpoints(endpoint.replace(target, proxy.endpoint()))
			.requestTimeout(Timing.seconds(30));
		if (config.option("session-timeout") != null) {
			// A ZooKeeper client gives up on a silent server after 2/3 of it: not before the close.
			through.option("session-timeout", "30s");
		}
		return new ProxiedStore(open(through), proxy);
	}

	/** A store and the proxy in front of its server; closing it closes the proxy. */
	public record ProxiedStore(Store store, FreezingProxy proxy) implements AutoCloseable {

		@Override
		public void close() throws IOException {
			this.proxy.close();
		}

	}

	@Test
	void closeEndsCallsInFlightAtOnceWithStoreClosed() throws Exception {
		if (!sharedWithOtherProcesses()) {
			// The local backend has no round trip to freeze: its calls wait only for the database's write lock.
			return;
		}
		try (ProxiedStore proxied = openThroughFreezingProxy(storeConfig().namespace(namespace()).build())) {
			Store store = proxied.store();
			FreezingProxy proxy = proxied.proxy();
			store.put("k", "v");
			proxy.freeze();
			ExecutorService pool = threads(3);
			Future<Throwable> put = pool.submit(() -> thrownBy(() -> store.put("k", "w")));
			Future<Throwable> watch = pool.submit(() -> thrownBy(() -> store.watch("other", (e) -> {
			})));
			await().pollDelay(Timing.millis(700)).atMost(Timing.seconds(2)).until(() -> true);
			assertThat(put.isDone()).as("put waits for the frozen server").isFalse();
			long closing = System.nanoTime();
			pool.submit(store::close);
			assertThat(put.get(Timing.seconds(10).toSeconds(), TimeUnit.SECONDS)).isInstanceOf(StoreClosedException.class);
			Throwable watched = watch.get(Timing.seconds(10).toSeconds(), TimeUnit.SECONDS);
			if (watched != null) {
				// The registration was waiting for its first state: it ends like any call in flight.
				assertThat(watched).isInstanceOf(StoreClosedException.class);
			}
			assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Timing.seconds(3));
		}
	}

	@Test
	void errorsInterruptedCallsEndWithStoreInterruptedAndTheInterruptStatusSet() throws Exception {
		Store store = open();
		Store other = openSecond();
		java.util.Random random = new java.util.Random(7);
		for (int i = 0; i < 30; i++) {
			String value = "v" + i;
			Object outcome = interruptedAfter(random.nextInt(3_000), () -> {
				store.put("k", value);
				return "done";
			});
			assertThat(outcome).as("round %d", i).isInstanceOfAny(String.class, StoreInterruptedException.class);
		}
		// An interrupt of one caller disturbs nobody else (an interrupted put may still land later: its outcome is unknown).
		store.put("after", "1");
		other.put("after", "2");
		assertThat(store.get("after").valueAsString()).isEqualTo("2");
	}

	@Test
	void errorsServerInfoAnswersWithoutCredentials() {
		StoreConfig config = storeConfig().namespace(namespace()).build();
		Store store = open(config.toBuilder());
		assertThat(store.endpoints()).hasSameSizeAs(config.endpoints());
		assertThat(store.serverInfo()).isNotNull().allSatisfy((name, value) -> assertThat(value).isNotNull());
		assertThat(store.toString()).contains(store.backend());
		store.close();
		assertThatThrownBy(store::serverInfo).isInstanceOf(StoreClosedException.class);
	}

	@ParameterizedTest
	@EnumSource(SecretForm.class)
	void errorsNeverShowCredentials(SecretForm form) {
		StoreConfig.Builder builder = storeConfig().namespace(namespace());
		if (builder.build().backend().equals("zookeeper")) {
			// With credentials a store on a fresh ZooKeeper creates its base path readable by that
			// user alone: the other tests on the shared server would then get NoAuth.
			builder.option("acl", "open");
		}
		StoreConfig config = form.token(form.credentials(builder, "user", "s3cr3t-pw"), "t0k3n").build();
		assertThat(config.toString()).doesNotContain("s3cr3t-pw").doesNotContain("t0k3n");
		Optional<Store> store = Optional.empty();
		try {
			store = Optional.of(Stores.open(config));
			assertThat(store.get().toString()).doesNotContain("s3cr3t-pw").doesNotContain("t0k3n");
		}
		catch (RuntimeException ex) {
			// A backend without authentication may refuse credentials; the message must still hide them.
			Throwable cause = ex;
			while (cause != null) {
				assertThat(String.valueOf(cause.getMessage())).doesNotContain("s3cr3t-pw").doesNotContain("t0k3n");
				cause = cause.getCause();
			}
		}
		finally {
			store.ifPresent(Store::close);
		}
	}

}
