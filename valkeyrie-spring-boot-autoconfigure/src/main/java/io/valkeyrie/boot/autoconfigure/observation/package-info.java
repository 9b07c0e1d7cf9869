/**
 * Auto-configuration of valkeyrie's observations and meters.
 */
@NullMarked
package io.valkeyrie.boot.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
