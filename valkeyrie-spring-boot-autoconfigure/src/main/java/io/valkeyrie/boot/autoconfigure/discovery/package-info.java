/**
 * Auto-configuration of service discovery and registration on the valkeyrie store.
 */
@NullMarked
package io.valkeyrie.boot.autoconfigure.discovery;

import org.jspecify.annotations.NullMarked;
