import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { onUnauthorized } from './api/client.js';
import { i18n } from './i18n/index.js';
import { useSessionStore } from './stores/session.js';
import './styles/theme.css';
import './styles/base.css';
import './styles/forms.css';

const pinia = createPinia();
const app = createApp(App).use(pinia).use(i18n);

// Any 401 from the API means the session is over: back to the login form.
onUnauthorized(() => useSessionStore(pinia).expire());
document.documentElement.lang = i18n.global.locale.value;

app.mount('#app');
