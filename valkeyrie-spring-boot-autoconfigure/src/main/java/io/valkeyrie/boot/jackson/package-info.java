/**
 * Jackson support for valkeyrie's types, usable without the auto-configuration.
 */
@NullMarked
package io.valkeyrie.boot.jackson;

import org.jspecify.annotations.NullMarked;
