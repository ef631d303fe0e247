import { computed, onBeforeUnmount, toValue, watchEffect } from 'vue';
import { useI18n } from 'vue-i18n';
import { useAttentionStore } from '../stores/attention.js';
import { useConversationsStore } from '../stores/conversations.js';
import { useThemeStore } from '../stores/theme.js';

/** "(3) teledesk": the unread count before the name, or the plain name when nothing waits. */
export function titleFor(name, unread) {
  return unread > 0 ? `(${unread}) ${name}` : name;
}

/**
 * Keeps `document.title` as the total unread count and the console's name (`name`, a getter
 * or ref; else the organisation's, from the theme; else "teledesk") while the calling
 * component is mounted, unless the agent turned the count off. The plain name comes back on
 * unmount (signed out), so a shared screen does not show the count of the last session.
 */
export function useTabTitle({ name = null } = {}) {
  const { t } = useI18n();
  const attention = useAttentionStore();
  const conversations = useConversationsStore();
  const theme = useThemeStore();
  const brand = computed(() => toValue(name) || theme.name || t('app.title'));
  const title = computed(() => titleFor(brand.value, attention.prefs.title ? conversations.totalUnread : 0));

  // After other watchers ('post'), so one that sets the plain name cannot drop the count.
  watchEffect(() => {
    document.title = title.value;
  }, { flush: 'post' });
  onBeforeUnmount(() => {
    document.title = brand.value;
  });
  return { title };
}
