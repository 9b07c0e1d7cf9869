/**
 * Auto-configuration of valkeyrie's Jackson module.
 */
@NullMarked
package io.valkeyrie.boot.autoconfigure.jackson;

import org.jspecify.annotations.NullMarked;
