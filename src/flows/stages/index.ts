/** The stage kinds the mock runs, by authentik's model name; any other kind denies the flow, naming itself. */
import type { StageHandler } from '../stage.js';
import { authenticatorTotpStage, authenticatorValidateStage } from './authenticators.js';
import { consentStage } from './consent.js';
import { identificationStage } from './identification.js';
import { passwordStage } from './password.js';
import { promptStage } from './prompt.js';
import { userLoginStage, userLogoutStage } from './session.js';
import { denyStage, dummyStage } from './simple.js';
import { userWriteStage } from './user-write.js';

export { redirectStage } from './simple.js';

export const STAGES: ReadonlyArray<readonly [string, StageHandler]> = [
  ['authentik_stages_identification.identificationstage', identificationStage],
  ['authentik_stages_password.passwordstage', passwordStage],
  ['authentik_stages_authenticator_validate.authenticatorvalidatestage', authenticatorValidateStage],
  ['authentik_stages_authenticator_totp.authenticatortotpstage', authenticatorTotpStage],
  ['authentik_stages_consent.consentstage', consentStage],
  ['authentik_stages_prompt.promptstage', promptStage],
  ['authentik_stages_user_write.userwritestage', userWriteStage],
  ['authentik_stages_user_login.userloginstage', userLoginStage],
  ['authentik_stages_user_logout.userlogoutstage', userLogoutStage],
  ['authentik_stages_deny.denystage', denyStage],
  ['authentik_stages_dummy.dummystage', dummyStage],
];
