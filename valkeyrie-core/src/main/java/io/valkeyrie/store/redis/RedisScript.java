package io.valkeyrie.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts of the store, read from the {@code .lua} files beside this class; the
 * namespace write scripts start with {@code common.lua}. Run with EVALSHA, and EVAL when the
 * server does not know the script yet (after a restart or fail-over).
 */
enum RedisScript {

	WRITE("write", true), DELETE("delete", true), DELETE_TREE("delete-tree", true),
	SWEEP("sweep", true), RENEW("renew", true), READ("read", true), HISTORY("history", true),
	LOCK_ACQUIRE("lock-acquire", false), LOCK_RELEASE("lock-release", false), LOCK_RENEW("lock-renew", false);

	private final byte[] body;

	private final String sha;

	RedisScript(String name, boolean namespaced) {
		String text = (namespaced ? read("common") + "\n" : "") + read(name);
		this.body = text.getBytes(StandardCharsets.UTF_8);
		try {
			this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(this.body));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is missing from this JVM", ex);
		}
	}

	byte[] body() {
		return this.body;
	}

	String sha() {
		return this.sha;
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

}
