package io.valkeyrie.boot.config;

/**
 * How the keys of a configuration folder hold properties.
 */
public enum ValkeyrieConfigFormat {

	/** Each key is one property: {@code config/orders/server/port} is {@code server.port}. */
	KEY_VALUE,

	/** One key of the folder (the data key) holds YAML text. */
	YAML,

	/** One key of the folder (the data key) holds {@code .properties} text. */
	PROPERTIES

}
