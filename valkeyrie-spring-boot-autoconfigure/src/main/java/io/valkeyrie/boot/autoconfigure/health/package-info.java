/**
 * Auto-configuration of the {@code valkeyrie} health contributor.
 */
@NullMarked
package io.valkeyrie.boot.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
