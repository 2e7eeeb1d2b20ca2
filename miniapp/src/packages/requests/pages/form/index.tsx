import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { CATALOG, REQUEST_TYPES, type RequestType } from '../../../../../../shared/requests/catalog';
import type { RequestSubmission } from '../../../../../../shared/requests/forms';
import { PendingCard } from '../../../../components/PendingCard';
import { useApi } from '../../../../hooks/useApi';
import { totalText } from '../../../../serviceRequests';
import { session } from '../../../../services';
import { DocumentList, missingDocuments } from '../../components/Documents';
import { FormFields } from '../../components/FormFields';
import { Gate } from '../../components/Gate';
import { PhotoList } from '../../components/Photos';
import type { UploadedDocument } from '../../documents';
import { FIELDS } from '../../form/fields';
import { useRequestForm, useSubmitRequest } from '../../form/useRequestForm';
import './index.scss';

/** Every type but the capacity application, which asks in steps (pages/capacity). */
type SimpleType = Exclude<RequestType, 'capacity_increase'>;
const isSimpleType = (type: string | undefined): type is SimpleType => REQUEST_TYPES.includes(type as RequestType) && type !== 'capacity_increase';

function RequestForm({ type }: { type: SimpleType }) {
  const definition = CATALOG[type];
  const fields = FIELDS[type];
  const accountField = fields.find((field) => field.kind === 'account');
  const accounts = useApi('listAccounts', undefined, { enabled: Boolean(accountField) });
  const form = useRequestForm(type, fields);
  const [documents, setDocuments] = useState<Record<string, UploadedDocument>>({});
  const [photos, setPhotos] = useState<UploadedDocument[]>([]);
  const [tried, setTried] = useState(false);
  const { busy, error, fieldErrors, submit } = useSubmitRequest();
  const asksPhone = fields.some((field) => field.name === 'contactPhone');
  const profile = useApi('getProfile', undefined, { enabled: asksPhone });
  // The contact phone starts as the customer's own number; they may change it.
  const ownPhone = profile.data?.phone;
  useEffect(() => {
    if (ownPhone && !form.raw.contactPhone) form.fill({ contactPhone: ownPhone });
  }, [ownPhone]);
  // The server's word on a field goes under that field, like the page's own checks, until it is edited.
  const [editedSinceSend, setEditedSinceSend] = useState<ReadonlySet<string>>(new Set());
  const serverErrors = Object.fromEntries(Object.entries(fieldErrors).filter(([name]) => !editedSinceSend.has(name)));
  const shownErrors = { ...serverErrors, ...form.shown };
  const change = (name: string, value: string) => {
    form.set(name, value);
    setEditedSinceSend((current) => new Set(current).add(name));
  };

  useEffect(() => {
    void Taro.setNavigationBarTitle({ title: definition.name });
  }, [definition.name]);
  // A required account starts as the customer's default one.
  const bound = accounts.data?.accounts;
  useEffect(() => {
    if (!bound?.length || accountField?.optional) return;
    form.fill({ accountId: String((bound.find((account) => account.isDefault) ?? bound[0]!).id) });
  }, [bound]);

  if (accountField && accounts.status !== 'ready')
    return (
      <View className="page">
        <PendingCard result={accounts} />
      </View>
    );
  if (accountField && !accountField.optional && !bound?.length) return <Gate reason="bind" />;

  const send = () => {
    setTried(true);
    setEditedSinceSend(new Set());
    const valid = form.touch(form.visible.map((field) => field.name));
    if (!valid || !form.form || missingDocuments(definition.documents, documents).length) return;
    const attached = [...Object.values(documents), ...photos].map((document) => document.id);
    void submit({ type, form: form.form, documents: attached } as RequestSubmission);
  };

  return (
    <View className="page request-form" data-testid={`request-form-${type}`}>
      <View className="card request-form__intro">
        <Text className="card__title">{definition.name}</Text>
        <Text className="prose">
          {definition.stages.map((stage) => stage.name).join(' → ')}，{totalText(definition.stages)}
        </Text>
      </View>
      <View className="card">
        <FormFields fields={form.visible} raw={form.raw} errors={shownErrors} onChange={change} accounts={bound} />
      </View>
      {definition.documents.length > 0 && (
        <View className="card">
          <Text className="card__title">申请资料</Text>
          <DocumentList
            documents={definition.documents}
            uploaded={documents}
            onUploaded={(document) => setDocuments((current) => ({ ...current, [document.kind]: document }))}
            showMissing={tried}
          />
        </View>
      )}
      {type === 'fault_repair' && <PhotoList photos={photos} onChange={setPhotos} />}
      {error && !Object.keys(fieldErrors).length && (
        <Text className="form__error request-form__error" data-testid="request-error">
          {error}
        </Text>
      )}
      <Button className={`form__submit ${busy ? 'form__submit--disabled' : ''}`} disabled={busy || undefined} onClick={send} data-testid="request-submit">
        {busy ? '正在提交…' : '提交'}
      </Button>
    </View>
  );
}

/** A request form for one type, `?type=fault_repair`, checked with the schema the server uses. */
export default function RequestFormPage() {
  const { params } = useRouter();
  if (!isSimpleType(params.type)) return <Gate reason="link" />;
  if (!session.isLoggedIn()) return <Gate reason="login" />;
  return <RequestForm type={params.type} />;
}
