// A stand-in for the desktop's notification service on the test's private session bus
// (org.freedesktop.Notifications): it records what the app shows and can "click" a
// notification by emitting ActionInvoked, as a real notification daemon does.
import dbus from 'dbus-next';

const { Interface } = dbus.interface;

class Notifications extends Interface {
  constructor() {
    super('org.freedesktop.Notifications');
    this.nextId = 1;
    this.shown = [];
  }

  Notify(appName, replacesId, icon, summary, body, actions) {
    const id = this.nextId++;
    this.shown.push({ id, appName, summary, body, actions });
    return id;
  }

  GetCapabilities() {
    return ['actions', 'body'];
  }

  GetServerInformation() {
    return ['fokus-test', 'FOKUS', '1', '1.2'];
  }

  CloseNotification() {}

  ActionInvoked(id, actionKey) {
    return [id, actionKey];
  }

  NotificationClosed(id, reason) {
    return [id, reason];
  }
}

Notifications.configureMembers({
  methods: {
    Notify: { inSignature: 'susssasa{sv}i', outSignature: 'u' },
    GetCapabilities: { inSignature: '', outSignature: 'as' },
    GetServerInformation: { inSignature: '', outSignature: 'ssss' },
    CloseNotification: { inSignature: 'u', outSignature: '' },
  },
  signals: {
    ActionInvoked: { signature: 'us' },
    NotificationClosed: { signature: 'uu' },
  },
});

/** Owns the notification service name; returns { shown, click(id), stop() }. */
export async function startNotificationService() {
  const bus = dbus.sessionBus();
  const service = new Notifications();
  bus.export('/org/freedesktop/Notifications', service);
  await bus.requestName('org.freedesktop.Notifications', 0);
  return {
    shown: service.shown,
    /** Clicks the notification's body, which the service reports as the "default" action. */
    click: (id) => service.ActionInvoked(id, 'default'),
    stop: () => bus.disconnect(),
  };
}
