/**
 * Auto-configuration of the Spring Integration metadata store on the valkeyrie store.
 */
@NullMarked
package io.valkeyrie.boot.autoconfigure.metadata;

import org.jspecify.annotations.NullMarked;
