package io.valkeyrie.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts of the store, read from the {@code .lua} files beside this class.
 * <p>
 * They are registered as one Redis function library ({@link #library()}) and run with
 * {@code FCALL}: the shared helpers of {@code common.lua} are then created once per load, and a
 * call skips the script prelude {@code EVALSHA} pays. Where the server refuses functions
 * (an ACL without {@code FUNCTION}, a managed service), each script runs with {@code EVALSHA}
 * instead, {@code common.lua} prepended, and {@code EVAL} when the server does not know it
 * yet. The library's name carries a hash of its text, so stores of different versions on
 * one server each call their own functions.
 */
enum RedisScript {

	WRITE("write", true, Flags.WRITES), DELETE("delete", true, Flags.FREES), DELETE_TREE("delete-tree", true, Flags.FREES),
	SWEEP("sweep", true, Flags.FREES), RENEW("renew", true, Flags.FREES), READ("read", true, Flags.READS),
	HISTORY("history", true, Flags.READS), LOCK_ACQUIRE("lock-acquire", false, Flags.WRITES),
	LOCK_RELEASE("lock-release", false, Flags.FREES), LOCK_RENEW("lock-renew", false, Flags.FREES);

	/**
	 * What a function declares. Redis refuses a function that may write while memory is above
	 * {@code maxmemory}, before it runs; {@code EVAL} only refused a script's first command that
	 * allocates. So reads say they write nothing, and the calls that free memory or only extend
	 * expiry (deletes, sweeps, renewals, unlocks) may run anyway: a full Redis can still be
	 * read and cleaned up through the store.
	 */
	enum Flags {

		WRITES(""), READS("'no-writes'"), FREES("'allow-oom'");

		private final String lua;

		Flags(String lua) {
			this.lua = lua;
		}

	}

	private static final Library LIBRARY = new Library();

	private final String name;

	private final boolean namespaced;

	private final Flags flags;

	private final String source;

	private final byte[] body;

	private final String sha;

	RedisScript(String name, boolean namespaced, Flags flags) {
		this.name = name;
		this.namespaced = namespaced;
		this.flags = flags;
		this.source = read(name);
		String text = namespaced ? common() + "\nbegin(KEYS, ARGV)\n" + this.source : this.source;
		this.body = text.getBytes(StandardCharsets.UTF_8);
		this.sha = sha1(this.body);
	}

	/** The whole text run by {@code EVAL}. */
	byte[] body() {
		return this.body;
	}

	String sha() {
		return this.sha;
	}

	/** The name of this script's function in {@link #library()}. */
	String function() {
		return LIBRARY.functions[ordinal()];
	}

	/** The text {@code FUNCTION LOAD} registers: every script as a function. */
	static String library() {
		return LIBRARY.text;
	}

	/** The name of the library, which changes whenever a script does. */
	static String libraryName() {
		return LIBRARY.name;
	}

	private static String common() {
		return Common.TEXT;
	}

	/** common.lua, read once: enum constants are built before the enum's own static fields. */
	private static final class Common {

		static final String TEXT = read("common");

	}

	private static String sha1(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is missing from this JVM", ex);
		}
	}

	private static String read(String name) {
		try (InputStream in = RedisScript.class.getResourceAsStream(name + ".lua")) {
			if (in == null) {
				throw new IllegalStateException("Script " + name + ".lua is missing from the classpath");
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read script " + name + ".lua", ex);
		}
	}

	private static final class Library {

		private final String name;

		private final String[] functions;

		private final String text;

		Library() {
			// Named by a hash of its code, so the code is hashed with the function names left bare.
			this.name = "valkeyrie_" + sha1(code("").getBytes(StandardCharsets.UTF_8)).substring(0, 12);
			this.functions = functionNames(this.name + "_");
			this.text = "#!lua name=" + this.name + "\n" + code(this.name + "_");
		}

		private static String[] functionNames(String prefix) {
			String[] names = new String[values().length];
			for (RedisScript script : values()) {
				names[script.ordinal()] = prefix + script.name.replace('-', '_');
			}
			return names;
		}

		/** {@code common.lua}, then every script registered as a function named {@code prefix + name}. */
		private static String code(String prefix) {
			String[] names = functionNames(prefix);
			StringBuilder code = new StringBuilder(common());
			for (RedisScript script : values()) {
				code.append("\nredis.register_function{function_name = '").append(names[script.ordinal()])
					.append("', flags = {").append(script.flags.lua).append("}, callback = function(KEYS, ARGV)\n")
					.append(script.namespaced ? "begin(KEYS, ARGV)\n" : "")
					.append(script.source)
					.append("\nend}\n");
			}
			return code.toString();
		}

	}

}
