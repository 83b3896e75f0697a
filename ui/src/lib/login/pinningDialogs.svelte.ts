// The questions of `loginWithPinning` asked through the login screen's dialogs: each question
// opens its dialog and resolves with the person's answer once the dialog closes.

import type { CertificateWarningView, PinningQuestions, PinQuestion, WarningChoice } from "./pinning";

export class PinningDialogs implements PinningQuestions {
  /** The fingerprint to compare while its dialog is open, and what answers it. */
  pin = $state<{ question: PinQuestion; answer: (confirmed: boolean) => void } | null>(null);
  /** The changed certificate while its warning is open, and what answers it. */
  warning = $state<{ view: CertificateWarningView; answer: (choice: WarningChoice) => void } | null>(null);
  /** Whether a dialog opened since this was last set to false. */
  opened = false;

  confirmPin = (question: PinQuestion): Promise<boolean> => {
    this.opened = true;
    return new Promise((resolve) => {
      this.pin = {
        question,
        answer: (confirmed) => {
          this.pin = null;
          resolve(confirmed);
        },
      };
    });
  };

  warnChanged = (view: CertificateWarningView): Promise<WarningChoice> => {
    this.opened = true;
    return new Promise((resolve) => {
      this.warning = {
        view,
        answer: (choice) => {
          this.warning = null;
          resolve(choice);
        },
      };
    });
  };

  /** Answers an open question the safe way (nothing gets pinned): when the screen goes. */
  cancel() {
    this.pin?.answer(false);
    this.warning?.answer("close");
  }
}
